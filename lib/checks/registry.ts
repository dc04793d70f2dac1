/**
 * Every check the gates run, named in one list: adding a check is one entry here, and a check missing from this
 * list does not run. The order is the order findings are reported in.
 */
import { checkConfigKeys } from './config-keys';
import { checkCronJobs } from './cron';
import { checkDisruptionBudgets } from './disruption-budget';
import { checkDuplicates } from './duplicates';
import { checkDurations } from './durations';
import { checkEnvVars } from './env-vars';
import { checkExternalSecrets } from './external-secret';
import type { Finding } from './finding';
import type { ManifestObject } from './manifest-object';
import { checkNames } from './naming';
import { checkPodSecurity } from './pod-security';
import { checkResourceLimits } from './resource-limits';
import { type CustomResourceSchema, SchemaValidator } from './schema';
import { checkSecretLiterals } from './secret-literals';
import { checkServiceTypes } from './service-type';
import { checkStatefulSets } from './statefulset-hygiene';
import { checkWorkloadHygiene } from './workload-hygiene';

/** What a check may read besides the render: the target Kubernetes version and schemas for custom resources. */
export interface CheckContext {
  /** Kubernetes version the render targets, e.g. `"1.31"`. */
  readonly kubeVersion: string;
  /** Schemas for custom resources with no built-in schema. @default none */
  readonly customResourceSchemas?: readonly CustomResourceSchema[];
}

/** Which gate a check belongs to: strict schema, Pod Security `restricted`, hygiene, or the API server's value rules. */
export type CheckGroup = 'schema' | 'pod-security' | 'hygiene' | 'api-validation';

export interface RegisteredCheck {
  readonly name: string;
  readonly group: CheckGroup;
  readonly run: (objects: readonly ManifestObject[], context: CheckContext) => readonly Finding[];
}

function checkSchemas(objects: readonly ManifestObject[], context: CheckContext): Finding[] {
  const validator = SchemaValidator.forVersion(context.kubeVersion).withCustomResources(context.customResourceSchemas ?? []);
  return objects.flatMap((obj) => validator.validate(obj));
}

export const CHECKS: readonly RegisteredCheck[] = [
  { name: 'schema', group: 'schema', run: checkSchemas },
  { name: 'pod-security', group: 'pod-security', run: checkPodSecurity },
  { name: 'statefulsets', group: 'hygiene', run: checkStatefulSets },
  { name: 'workloads', group: 'hygiene', run: checkWorkloadHygiene },
  { name: 'disruption-budgets', group: 'hygiene', run: checkDisruptionBudgets },
  { name: 'names', group: 'hygiene', run: checkNames },
  { name: 'secret-literals', group: 'hygiene', run: checkSecretLiterals },
  { name: 'duplicates', group: 'api-validation', run: checkDuplicates },
  { name: 'resource-limits', group: 'api-validation', run: checkResourceLimits },
  // kubeVersion picks the env var name rules (relaxed in newer versions).
  { name: 'env-vars', group: 'api-validation', run: (objects, { kubeVersion }) => checkEnvVars(objects, kubeVersion) },
  { name: 'config-keys', group: 'api-validation', run: checkConfigKeys },
  { name: 'service-types', group: 'api-validation', run: checkServiceTypes },
  { name: 'durations', group: 'api-validation', run: checkDurations },
  { name: 'cron-jobs', group: 'api-validation', run: checkCronJobs },
  { name: 'external-secrets', group: 'api-validation', run: checkExternalSecrets },
];

/** The findings of every registered check (of `groups`, when given), in registry order. */
export function runChecks(objects: readonly ManifestObject[], context: CheckContext, groups?: readonly CheckGroup[]): Finding[] {
  return CHECKS.filter((c) => !groups || groups.includes(c.group)).flatMap((c) => c.run(objects, context));
}

/** Every hygiene rule: StatefulSets, workloads and Services, disruption budgets, names, literal secrets. */
export function checkStatefulSetHygiene(objects: readonly ManifestObject[]): Finding[] {
  // No hygiene check reads the Kubernetes version.
  return runChecks(objects, { kubeVersion: '' }, ['hygiene']);
}

/** Every API-server value rule on one render; `kubeVersion` picks the env var name rules. */
export function checkApiValidation(objects: readonly ManifestObject[], kubeVersion: string): Finding[] {
  return runChecks(objects, { kubeVersion }, ['api-validation']);
}
