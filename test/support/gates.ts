import { type GateReport, type ManifestObject, Profile, formatFindings, runGates } from '../../lib';

/**
 * Every gate passes on `objects` at `version` (a profile's Kubernetes version, or 'x.y'): fails the test with the
 * formatted findings otherwise. Returns the report for tests that also look at skips or warnings.
 */
export function expectGatesPass(objects: readonly object[], version: Profile | string): GateReport {
  const kubeVersion = typeof version === 'string' ? version : version.kubeVersion.toString();
  const report = runGates(objects as ManifestObject[], { kubeVersion });
  if (report.errors.length) throw new Error(`${report.errors.length} gate error(s) at Kubernetes ${kubeVersion}:\n${formatFindings(report.errors)}`);
  expect(report.ok).toBe(true);
  return report;
}
