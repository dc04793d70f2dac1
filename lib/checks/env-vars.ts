/**
 * Environment variable names as the target version's API server validates them, and no name defined twice in one
 * container (the later entry silently hides the earlier, e.g. a user's `MASTER_ADDR` overriding the generated one,
 * and server-side apply refuses the duplicate list-map key).
 */
import { type Finding, finding } from './finding';
import { joinPath } from './json-path';
import { type Json, ManifestIndex, type ManifestObject, podContainers } from './manifest-index';

/** validation.IsEnvVarName before RelaxedEnvironmentVariableValidation: letters, digits, '_', '-', '.', no leading digit. */
const STRICT_ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** RelaxedEnvironmentVariableValidation: any printable ASCII character except '='. */
const RELAXED_ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;
/** KEP-4369: alpha (off) in 1.30, beta and on by default in 1.32, GA in 1.34. */
export const RELAXED_ENV_NAMES_MINOR = 32;

function minorOf(kubeVersion: string): number {
  const m = /^v?1\.(\d+)/.exec(kubeVersion.trim());
  return m ? Number(m[1]) : 0;
}

/** Why `name` is not an env var name that Kubernetes `kubeVersion` accepts, or undefined. */
export function envVarNameProblem(name: string, kubeVersion: string): string | undefined {
  const relaxed = minorOf(kubeVersion) >= RELAXED_ENV_NAMES_MINOR;
  if (relaxed) {
    return RELAXED_ENV_NAME.test(name) ? undefined
      : `env var name ${JSON.stringify(name)} is invalid on Kubernetes ${kubeVersion}: use printable ASCII characters other than '=', at least one`;
  }
  return STRICT_ENV_NAME.test(name) ? undefined
    : `env var name ${JSON.stringify(name)} is invalid on Kubernetes ${kubeVersion}: use letters, digits, '_', '-' or '.', not starting with a digit ` +
      `(other printable characters are accepted from 1.${RELAXED_ENV_NAMES_MINOR}, RelaxedEnvironmentVariableValidation); rename it, e.g. ${JSON.stringify(name.replace(/^(\d)/, '_$1').replace(/[^-._a-zA-Z0-9]/g, '_'))}`;
}

/** `env/name` (as Kubernetes `kubeVersion` validates names) and `env/duplicate` over every container. */
export function checkEnvVars(objects: readonly ManifestObject[], kubeVersion: string): Finding[] {
  const out: Finding[] = [];
  for (const t of ManifestIndex.of(objects).podTemplates) {
    for (const { container: c, path } of podContainers(t)) {
      const seen = new Map<string, number>();
      (Array.isArray(c?.env) ? c.env : []).forEach((e: Json, j: number) => {
        const name = e?.name;
        if (typeof name !== 'string') return; // schema: name is required
        const problem = envVarNameProblem(name, kubeVersion);
        if (problem) out.push(finding('env/name', t.owner, joinPath(path, 'env', j, 'name'), `container "${c?.name}" ${problem}`));
        const first = seen.get(name);
        if (first !== undefined) {
          out.push(finding('env/duplicate', t.owner, joinPath(path, 'env', j),
            `container "${c?.name}" defines env ${name} twice (env[${first}] and env[${j}]); the later hides the generated one and server-side apply refuses the duplicate key: ` +
            'drop the entry and set the value through the construct prop that generates it'));
        } else {
          seen.set(name, j);
        }
      });
      (Array.isArray(c?.envFrom) ? c.envFrom : []).forEach((e: Json, j: number) => {
        if (typeof e?.prefix === 'string' && e.prefix !== '' && envVarNameProblem(`${e.prefix}X`, kubeVersion)) {
          out.push(finding('env/name', t.owner, joinPath(path, 'envFrom', j, 'prefix'),
            `container "${c?.name}" envFrom prefix ${JSON.stringify(e.prefix)} makes invalid env var names on Kubernetes ${kubeVersion}; use letters, digits, '_', '-' or '.', not starting with a digit`));
        }
      });
    }
  }
  return out;
}
