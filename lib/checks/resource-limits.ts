/**
 * Requests never above limits (kube-apiserver ValidateResourceRequirements): a pod whose CPU limit is below its
 * request is refused on create, so the StatefulSet controller loops on FailedCreate while Argo CD shows Synced.
 */
import { type Finding, finding } from './finding';
import { joinPath } from './json-path';
import { type Json, ManifestIndex, type ManifestObject, podContainers } from './manifest-index';
import { compareQuantities } from './quantity';
import { isValidContainerResourceName } from './workload-hygiene';

const STANDARD = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** `container-resources/request-above-limit` over every container of every pod template. */
export function checkResourceLimits(objects: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  for (const t of ManifestIndex.of(objects).podTemplates) {
    for (const { container: c, path: containerPath } of podContainers(t)) {
      const requests: Json = c?.resources?.requests ?? {};
      const limits: Json = c?.resources?.limits ?? {};
      const path = joinPath(containerPath, 'resources');
      for (const [name, request] of Object.entries(requests)) {
        if (!isValidContainerResourceName(name)) continue; // container-resources/unknown-resource reports it
        const limit = limits[name];
        const overcommittable = STANDARD.has(name);
        if (limit === undefined) {
          if (!overcommittable) {
            out.push(finding('container-resources/request-above-limit', t.owner, joinPath(path, 'limits', name),
              `container "${c?.name}" requests ${name}: ${JSON.stringify(request)} without a limit; ${name} cannot be overcommitted, so set limits.${name} equal to the request`));
          }
          continue;
        }
        const cmp = compareQuantities(request, limit);
        if (cmp === undefined) continue; // an unparseable quantity is a schema/value error of its own
        if (cmp > 0) {
          out.push(finding('container-resources/request-above-limit', t.owner, joinPath(path, 'requests', name),
            `container "${c?.name}" requests ${name}: ${JSON.stringify(request)} above its limit ${JSON.stringify(limit)}; raise limits.${name} to at least the request or lower the request`));
        } else if (cmp < 0 && !overcommittable && !name.startsWith('hugepages-')) {
          out.push(finding('container-resources/request-above-limit', t.owner, joinPath(path, 'requests', name),
            `container "${c?.name}" requests ${name}: ${JSON.stringify(request)} but limits it to ${JSON.stringify(limit)}; extended resources cannot be overcommitted, so make the request equal the limit`));
        }
      }
    }
  }
  return out;
}
