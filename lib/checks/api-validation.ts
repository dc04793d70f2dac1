/**
 * The value rules the API server applies on create that a schema does not express: each lives in its own file and
 * cites the validation it mirrors; this runs them all on one render.
 */
import { checkConfigKeys } from './config-keys';
import { checkCronJobs } from './cron';
import { checkDuplicates } from './duplicates';
import { checkDurations } from './durations';
import { checkEnvVars } from './env-vars';
import { checkExternalSecrets } from './external-secret';
import type { Finding } from './finding';
import type { ManifestObject } from './manifest-index';
import { checkResourceLimits } from './resource-limits';
import { checkServiceTypes } from './service-type';

/** Every API-server value rule on one render; `kubeVersion` picks the env var name rules. */
export function checkApiValidation(objects: readonly ManifestObject[], kubeVersion: string): Finding[] {
  return [
    ...checkDuplicates(objects),
    ...checkResourceLimits(objects),
    ...checkEnvVars(objects, kubeVersion),
    ...checkConfigKeys(objects),
    ...checkServiceTypes(objects),
    ...checkDurations(objects),
    ...checkCronJobs(objects),
    ...checkExternalSecrets(objects),
  ];
}
