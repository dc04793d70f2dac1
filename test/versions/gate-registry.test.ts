import * as fs from 'fs';
import { DEFAULT_KUBE_VERSIONS, KubeVersion, MAX_SUPPORTED_MINOR, MIN_SUPPORTED_MINOR, Profile } from '../../lib';
import { VERSION_GATES, versionGate } from '../../lib/profiles';
import { KUBERNETES_VERSIONS_DOC, kubernetesVersionsDoc } from '../../apps/kubernetes-versions';

/** Every getter KubeVersion declares: each is a version-gated choice (hasX, supportsX, ...). */
const getters = Object.entries(Object.getOwnPropertyDescriptors(KubeVersion.prototype))
  .filter(([, d]) => typeof d.get === 'function')
  .map(([name]) => name)
  .sort();

describe('version gate registry', () => {
  test('every getter of KubeVersion has exactly one VERSION_GATES entry, and every entry a getter', () => {
    expect(getters.length).toBeGreaterThanOrEqual(9);
    expect(VERSION_GATES.map((g) => g.getter).sort()).toEqual(getters);
    expect(new Set(VERSION_GATES.map((g) => g.getter)).size).toBe(VERSION_GATES.length);
  });

  test('entries name a supported minor, a feature gate and both behaviours', () => {
    for (const g of VERSION_GATES) {
      expect(g.sinceMinor).toBeGreaterThanOrEqual(MIN_SUPPORTED_MINOR);
      expect(g.sinceMinor).toBeLessThanOrEqual(MAX_SUPPORTED_MINOR);
      expect(g.featureGate).toMatch(/^[A-Z][A-Za-z]+ \(/);
      expect(g.from.length).toBeGreaterThan(10);
      expect(g.below.length).toBeGreaterThan(10);
    }
    expect(() => versionGate('hasTimeTravel')).toThrow("No version gate 'hasTimeTravel' in VERSION_GATES: add an entry for it.");
  });

  test.each(VERSION_GATES.map((g) => [g.getter, g.sinceMinor]))('%s: off at every minor below 1.%i, on from it', (getter, since) => {
    for (const v of KubeVersion.all()) {
      expect([v.toString(), (v as any)[getter]]).toEqual([v.toString(), v.minor >= (since as number)]);
    }
  });

  test('the boundaries the issue names', () => {
    const at = (v: string) => KubeVersion.of(v);
    expect([at('1.28').hasNativeSidecars, at('1.29').hasNativeSidecars]).toEqual([false, true]);
    expect([at('1.30').hasTrafficDistribution, at('1.31').hasTrafficDistribution]).toEqual([false, true]);
    expect([at('1.32').hasInPlacePodResize, at('1.33').hasInPlacePodResize]).toEqual([false, true]);
    expect([at('1.33').hasVolumeAttributesClass, at('1.34').hasVolumeAttributesClass]).toEqual([false, true]);
    expect([at('1.34').hasStatefulSetMaxUnavailable, at('1.35').hasStatefulSetMaxUnavailable]).toEqual([false, true]);
  });

  test('KubeVersion.all() is every supported minor, 1.27 to 1.36', () => {
    expect(KubeVersion.all().map(String)).toEqual(['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36']);
  });

  test('profile factories default to DEFAULT_KUBE_VERSIONS', () => {
    expect(DEFAULT_KUBE_VERSIONS).toEqual({ gke: '1.35', eks: '1.35', aks: '1.35', kind: '1.36' });
    expect([Profile.gke(), Profile.eks(), Profile.aks(), Profile.kind()].map((p) => `${p.cloud} ${p.kubeVersion}`))
      .toEqual(['gke 1.35', 'eks 1.35', 'aks 1.35', 'kind 1.36']);
  });
});

describe('docs/kubernetes-versions.md', () => {
  test('is what `npm run docs:versions` generates from the registry (regenerate it after changing a gate)', () => {
    expect(fs.readFileSync(KUBERNETES_VERSIONS_DOC, 'utf8')).toBe(kubernetesVersionsDoc());
  });

  test('has one row per gate with its version and feature gate, and one row per supported minor', () => {
    const doc = kubernetesVersionsDoc();
    for (const g of VERSION_GATES) {
      expect(doc).toContain(`| 1.${g.sinceMinor} | ${g.featureGate} |`);
      expect(doc).toContain(`\`${g.getter}\` |`);
    }
    expect(doc).toContain('| 1.27 | `hasJobPodFailurePolicy`, `hasPvcRetentionPolicy`, `hasUnhealthyPodEvictionPolicy`, `hasStartOrdinal` |');
    expect(doc.match(/^\| 1\.\d+ \| `/gm)).toHaveLength(10);
    expect(doc).toContain('gke 1.35, eks 1.35, aks 1.35, kind 1.36');
  });
});
