import { App } from 'cdk8s';
import { ClusterConfig, ClusterNeeds, Profile, StorageClassPack, renderProfile } from '../../lib';
import { GKE_MACHINE_FAMILY_LABEL } from '../../lib/profiles';
import { k8s } from '../../lib/k8s';
import { withTierNodeAffinity } from '../../lib/storage';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { Manifest, newChart } from '../support/synth';

/** The reference platform rendered for `profile` (gated), its cluster needs and CAPACITY.md. */
function render(profile: Profile) {
  const app = new App();
  buildPlatform(app, profile);
  const rendered = renderProfile(app, profile, { reports: true });
  const needs = ClusterNeeds.of(rendered.objects, profile);
  const capacity = rendered.files.find((f) => f.name === 'CAPACITY.md')!.content;
  return { objects: rendered.objects as Manifest[], needs, capacity };
}

const podSpec = (objects: Manifest[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!.spec.template.spec;
const row = (capacity: string, workload: string, tier: string) => capacity.split('\n').find((l) => l.startsWith(`| ${workload} | ${tier} |`));

describe.each(referenceProfiles().map((p) => [p.name, p] as const))('reference platform on %s: every storage tier attaches', (_name, profile) => {
  const { needs, capacity } = render(profile);

  test('every workload mounting a tier can attach it on the default node pool, or carries the affinity the tier needs', () => {
    expect(needs.placements.length).toBeGreaterThan(0);
    for (const p of needs.placements) {
      expect({ workload: p.workload, ok: p.requires.length === 0 ? p.defaultPoolAttaches : p.carriesAffinity }).toEqual({ workload: p.workload, ok: true });
    }
    expect(needs.unplaceable).toEqual([]);
  });

  test('CAPACITY.md says so, workload by workload', () => {
    expect(capacity).toContain('## What this cluster needs');
    for (const p of needs.placements) {
      expect(row(capacity, p.workload, p.tier)).toBe(`| ${p.workload} | ${p.tier} | none needed | attaches |`);
    }
    // The Feast online store's IOPS tier is among them on every profile.
    expect(needs.placements.map((p) => `${p.workload} ${p.tier}`)).toContain('StatefulSet ml-features/feast-redis iops');
  });
});

describe('opt-in high-performance disks pull their workloads onto nodes that attach them', () => {
  test('GKE Hyperdisk Balanced: the Redis pods require a Hyperdisk machine family; CAPACITY.md says the E2/N2 pool does not attach it', () => {
    const profile = Profile.gke({ performanceDisks: ['iops'], cluster: ClusterConfig.of({ name: 'ml-gke', nodeFamilies: ['e2', 'n2'] }) });
    const { objects, needs, capacity } = render(profile);
    const expressions = podSpec(objects, 'StatefulSet', 'feast-redis').affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(expressions).toEqual([{ matchExpressions: [{ key: GKE_MACHINE_FAMILY_LABEL, operator: 'In', values: ['a3', 'c3', 'c3d', 'c4', 'c4a', 'c4d', 'h3', 'm3', 'n4', 'z3'] }] }]);
    expect(objects.find((o) => o.kind === 'StorageClass' && o.metadata.name === 'ml-iops-v1')!.parameters.type).toBe('hyperdisk-balanced');
    const redis = needs.placements.find((p) => p.workload === 'StatefulSet ml-features/feast-redis')!;
    expect(redis).toMatchObject({ tier: 'iops', carriesAffinity: true, defaultPoolAttaches: false });
    expect(row(capacity, 'StatefulSet ml-features/feast-redis', 'iops')).toBe(
      '| StatefulSet ml-features/feast-redis | iops | carried | does not attach: add a node pool with cloud.google.com/machine-family in a3, c3, c3d, c4, c4a, c4d, h3, m3, n4, z3 |');
    expect(capacity).toContain('| iops | Hyperdisk Balanced: 10000 IOPS, 400 MiB/s provisioned | Hyperdisk Balanced attaches only to A3, C3, C3D, C4, C4A, C4D, H3, M3, N4, Z3 machines: pods require `cloud.google.com/machine-family` in a3, c3, c3d, c4, c4a, c4d, h3, m3, n4, z3 |');
    // Workloads on other tiers are not pinned.
    expect(podSpec(objects, 'StatefulSet', 'minio').affinity?.nodeAffinity).toBeUndefined();
    expect(needs.unplaceable).toEqual([]);
  });

  test('a declared C3 pool narrows the families and attaches', () => {
    const profile = Profile.gke({ performanceDisks: ['iops'], cluster: ClusterConfig.of({ name: 'ml-gke', nodeFamilies: ['e2', 'c3'] }) });
    const { needs } = render(profile);
    expect(profile.tier('iops').nodeAffinity!.requirements).toEqual([{ key: GKE_MACHINE_FAMILY_LABEL, values: ['c3'] }]);
    expect(needs.placements.find((p) => p.tier === 'iops')).toMatchObject({ carriesAffinity: true, defaultPoolAttaches: true });
  });

  test('AKS Premium SSD v2: pinned to the declared zones; without zones synth fails with the fix', () => {
    const zones = ['westeurope-1', 'westeurope-2'];
    const profile = Profile.aks({ performanceDisks: ['iops'], cluster: ClusterConfig.of({ name: 'ml-aks', zones }) });
    const { objects, needs } = render(profile);
    expect(podSpec(objects, 'StatefulSet', 'feast-redis').affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
      .toEqual([{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: zones }] }]);
    expect(needs.placements.find((p) => p.tier === 'iops')).toMatchObject({ carriesAffinity: true, defaultPoolAttaches: true });
    expect(() => Profile.aks({ performanceDisks: ['iops'] })).toThrow(
      "Profile 'aks': performanceDisks [iops] use Premium SSD v2, which attaches only to nodes in availability zones: declare your node pools' zones with " +
      "Profile.aks({ cluster: ClusterConfig.of({ name, zones: ['<region>-1', '<region>-2', '<region>-3'] }) }), or drop performanceDisks to keep Premium SSD (any node pool).");
  });

  test('the tier affinity is added to every GPU node selector term of a pod (ANDed, not ORed)', () => {
    const profile = Profile.aks({
      performanceDisks: ['iops'],
      cluster: ClusterConfig.of({ name: 'ml-aks', zones: ['eastus-1'], gpuPools: [{ name: 'a100', nodeLabels: { pool: 'a100' } }, { name: 'h100', nodeLabels: { pool: 'h100' } }] }),
    });
    const { chart } = newChart(profile);
    const pack = new StorageClassPack(chart, 'storage');
    const gpuTerms = profile.gpuNodeSelectorTerms()!;
    expect(gpuTerms).toEqual([
      { matchExpressions: [{ key: 'pool', operator: 'In', values: ['a100'] }] },
      { matchExpressions: [{ key: 'pool', operator: 'In', values: ['h100'] }] },
    ]);
    const merged = withTierNodeAffinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: gpuTerms } } }, [pack.iops, pack.standard]);
    const zone = { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eastus-1'] };
    expect(merged!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'pool', operator: 'In', values: ['a100'] }, zone] },
      { matchExpressions: [{ key: 'pool', operator: 'In', values: ['h100'] }, zone] },
    ]);
    // Tiers that attach anywhere leave the affinity as it was.
    expect(withTierNodeAffinity(undefined, [pack.standard, pack.fast])).toBeUndefined();
  });
});

describe('the check is not vacuous', () => {
  test('a pod mounting a Hyperdisk tier without the affinity is reported as unplaceable, and CAPACITY.md says so', () => {
    const profile = Profile.gke({ performanceDisks: ['iops'] });
    const { chart } = newChart(profile);
    const pack = new StorageClassPack(chart, 'storage', { tiers: ['iops'] });
    // A hand-written StatefulSet (not a StatefulWorkload) that forgets the node affinity.
    new k8s.KubeStatefulSet(chart, 'raw', {
      metadata: { name: 'raw', namespace: 'ns' },
      spec: {
        serviceName: 'raw', selector: { matchLabels: { app: 'raw' } },
        template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: pack.iops.claimSpec('50Gi') }],
      },
    });
    const needs = ClusterNeeds.of(chart.toJson(), profile);
    expect(needs.unplaceable.map((p) => [p.workload, p.tier, p.carriesAffinity, p.defaultPoolAttaches])).toEqual([['StatefulSet ns/raw', 'iops', false, undefined]]);
    expect(needs.toMarkdown().join('\n')).toContain('| StatefulSet ns/raw | iops | **missing: pods will not attach the volume** | needs nodes with cloud.google.com/machine-family in');
  });
});

describe('minimum sizes follow the provider per-GiB limits', () => {
  test.each([
    ['GKE Hyperdisk Balanced, 10000 IOPS at 500/GiB', Profile.gke({ performanceDisks: ['iops'] }), 'iops', '20Gi'],
    ['GKE Hyperdisk Throughput, 180 MiB/s at 0.09/GiB (2TiB floor)', Profile.gke({ performanceDisks: ['throughput'] }), 'throughput', '2Ti'],
    ['EKS gp3, 6000 IOPS at 500/GiB', Profile.eks(), 'fast', '12Gi'],
    ['AKS Premium SSD v2, 10000 IOPS at 500/GiB', Profile.aks({ performanceDisks: ['iops'], cluster: ClusterConfig.of({ name: 'a', zones: ['eastus-1'] }) }), 'iops', '20Gi'],
  ] as const)('%s', (_what, profile, tier, minimum) => {
    expect(profile.tier(tier).minimumSize).toBe(minimum);
  });
});
