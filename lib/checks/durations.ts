/**
 * Durations and counts the API server requires to be non-negative (apimachinery ValidateNonnegativeField on probe
 * timings, minReadySeconds, Job backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished, CronJob
 * startingDeadlineSeconds and history limits), pod activeDeadlineSeconds ≥ 1, and terminationGracePeriodSeconds,
 * which the pod strategy silently replaces by 1 when negative (a permanent diff, and pods killed after a second).
 */
import { type Finding, finding } from './finding';
import { joinPath } from './json-path';
import { type Json, ManifestIndex, type ManifestObject, podContainers } from './manifest-index';

const PROBE_FIELDS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'];

function check(out: Finding[], obj: ManifestObject, path: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || value >= min) return;
  out.push(finding('durations/non-negative', obj, path,
    `${path.split('.').pop()} is ${value}; it must be ${min === 0 ? 'zero or more' : `at least ${min}`}: set a ${min === 0 ? 'non-negative' : 'positive'} value (or leave it unset for the default)`));
}

/** `durations/non-negative` over pod templates, probes, workload, Job and CronJob fields. */
export function checkDurations(objects: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  const index = ManifestIndex.of(objects);
  for (const t of index.podTemplates) {
    const spec: Json = t.spec ?? {};
    check(out, t.owner, joinPath(t.specPath, 'terminationGracePeriodSeconds'), spec.terminationGracePeriodSeconds, 0);
    check(out, t.owner, joinPath(t.specPath, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds, 1);
    for (const { container: c, path } of podContainers(t, ['initContainers', 'containers'])) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const p = c?.[probe];
        if (!p) continue;
        for (const f of PROBE_FIELDS) check(out, t.owner, joinPath(path, probe, f), p[f], 0);
        check(out, t.owner, joinPath(path, probe, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 1);
      }
    }
  }
  for (const obj of objects) {
    const spec: Json = (obj as Json)?.spec;
    if (!spec) continue;
    if (['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet'].includes(obj.kind)) {
      check(out, obj, 'spec.minReadySeconds', spec.minReadySeconds, 0);
      check(out, obj, 'spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 0);
      check(out, obj, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit, 0);
    }
    const job = obj.kind === 'Job' ? { spec, prefix: 'spec' } : obj.kind === 'CronJob' ? { spec: spec.jobTemplate?.spec, prefix: 'spec.jobTemplate.spec' } : undefined;
    if (job?.spec) {
      for (const f of ['backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished', 'parallelism', 'completions']) {
        check(out, obj, `${job.prefix}.${f}`, job.spec[f], 0);
      }
    }
    if (obj.kind === 'CronJob') {
      for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) check(out, obj, `spec.${f}`, spec[f], 0);
    }
  }
  return out;
}
