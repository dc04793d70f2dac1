import { App } from 'cdk8s';
import { KubeVersion, Profile, SchemaValidator, renderProfile } from '../../lib';
import { buildPlatform } from '../../apps/platform';
import { REFERENCE_CLUSTERS } from '../../apps/clusters';
import { Manifest, all, find } from '../support/synth';

const CLOUDS = ['kind', 'gke', 'eks', 'aks'] as const;

function profileFor(cloud: typeof CLOUDS[number], kubeVersion: string): Profile {
  switch (cloud) {
    case 'kind': return Profile.kind({ kubeVersion, cluster: REFERENCE_CLUSTERS.kind });
    case 'gke': return Profile.gke({ kubeVersion, cluster: REFERENCE_CLUSTERS.gke });
    case 'eks': return Profile.eks({ kubeVersion, cluster: REFERENCE_CLUSTERS.eks });
    case 'aks': return Profile.aks({ kubeVersion, cluster: REFERENCE_CLUSTERS.aks });
  }
}

/** The reference platform for every profile at every supported minor: 4 × 10 renders through the public synth path. */
const matrix = CLOUDS.flatMap((cloud) => KubeVersion.all().map((version) => {
  const profile = profileFor(cloud, version.toString());
  const app = new App();
  buildPlatform(app, profile);
  // renderProfile runs every gate, the strict schema of profile.kubeVersion included, and throws on an error.
  const rendered = renderProfile(app, profile);
  return { cloud, version, profile, objects: rendered.objects as Manifest[], gates: rendered.gates };
}));

describe('reference platform on every profile × every minor 1.27..1.36', () => {
  test('40 renders, each strictly valid against its own version\'s schema and passing every gate', () => {
    expect(matrix).toHaveLength(40);
    for (const r of matrix) {
      expect([r.cloud, r.version.toString(), r.gates.errors]).toEqual([r.cloud, r.version.toString(), []]);
      // Validated against its own version, not a neighbour's.
      const validator = SchemaValidator.forVersion(r.version.toString());
      expect(validator.schemaVersion).toBe(r.version.toString());
      const findings = r.objects.flatMap((o) => validator.validate(o));
      expect([r.cloud, r.version.toString(), findings]).toEqual([r.cloud, r.version.toString(), []]);
    }
  });

  const postgres = (objects: Manifest[]) => find(objects, 'StatefulSet', 'postgres');

  test.each(matrix.map((r) => [r.cloud, r.version.toString(), r]))('%s %s: each gate on its side', (_cloud, _version, r) => {
    const { version, objects, cloud } = r as typeof matrix[number];
    const pod = postgres(objects).spec.template.spec;
    // Native sidecars (1.29+): the metrics exporter is a restartable init container, below an ordinary container.
    const exporterAsSidecar = (pod.initContainers ?? []).find((c: any) => c.name === 'metrics');
    const exporterAsContainer = pod.containers.find((c: any) => c.name === 'metrics');
    if (version.hasNativeSidecars) {
      expect(exporterAsSidecar?.restartPolicy).toBe('Always');
      expect(exporterAsContainer).toBeUndefined();
      // The reference database runs Patroni, which bootstraps itself: the exporter is the only init container.
      expect(pod.initContainers.map((c: any) => c.name)).toEqual(['metrics']);
    } else {
      expect(exporterAsSidecar).toBeUndefined();
      expect(exporterAsContainer).toBeDefined();
      expect(exporterAsContainer.restartPolicy).toBeUndefined();
    }
    // trafficDistribution (1.31+) on the read-only Service only.
    expect(find(objects, 'Service', 'postgres-ro').spec.trafficDistribution).toBe(version.hasTrafficDistribution ? 'PreferClose' : undefined);
    expect(find(objects, 'Service', 'postgres-rw').spec.trafficDistribution).toBeUndefined();
    // In-place resize (1.33+): the database server's CPU resizes without a restart, memory restarts it.
    const server = pod.containers.find((c: any) => c.name === 'postgres');
    expect(server.resizePolicy).toEqual(version.hasInPlacePodResize
      ? [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }, { resourceName: 'memory', restartPolicy: 'RestartContainer' }]
      : undefined);
    // VolumeAttributesClass (1.34+) where a default tier provisions IOPS/throughput a driver can modify: EBS gp3 on eks.
    // The GKE and AKS defaults scale with size (pd-ssd, Premium_LRS); their VAC tiers are the opt-in performance disks.
    const classes = all(objects, 'VolumeAttributesClass');
    if (version.hasVolumeAttributesClass && cloud === 'eks') {
      expect(classes.length).toBeGreaterThan(0);
      const names = new Set(classes.map((c) => c.metadata.name));
      const named = all(objects, 'StatefulSet').flatMap((s) => (s.spec.volumeClaimTemplates ?? []).map((t: any) => t.spec.volumeAttributesClassName)).filter(Boolean);
      expect(named.length).toBeGreaterThan(0);
      for (const n of named) expect(names.has(n)).toBe(true);
    } else {
      expect(classes).toEqual([]);
      expect(JSON.stringify(objects)).not.toContain('volumeAttributesClassName');
    }
    // Databases are never rolled several pods at a time.
    expect(postgres(objects).spec.updateStrategy.rollingUpdate.maxUnavailable).toBeUndefined();
  });

  test('which tiers get a VolumeAttributesClass at 1.34+, with what', () => {
    const at = (cloud: string) => all(matrix.find((r) => r.cloud === cloud && r.version.minor === 34)!.objects, 'VolumeAttributesClass')
      .map((c) => [c.metadata.labels['ml.cdk8s.io/storage-tier'], c.driverName, c.parameters]);
    expect(at('eks')).toEqual([['fast', 'ebs.csi.aws.com', { iops: '6000', throughput: '250' }]]);
    expect(at('gke')).toEqual([]);
    expect(at('aks')).toEqual([]);
    // Opted in, the performance disks get their class.
    const optedIn = (profile: Profile) => {
      const app = new App();
      buildPlatform(app, profile);
      return all(renderProfile(app, profile).objects as Manifest[], 'VolumeAttributesClass')
        .map((c) => [c.metadata.labels['ml.cdk8s.io/storage-tier'], c.driverName, c.parameters]);
    };
    expect(optedIn(Profile.gke({ kubeVersion: '1.34', cluster: REFERENCE_CLUSTERS.gke, performanceDisks: ['iops'] })))
      .toEqual([['iops', 'pd.csi.storage.gke.io', { iops: '10000', throughput: '400Mi' }]]);
    expect(at('kind')).toEqual([]);
  });

  test('below the gates the output is the same at every version, except the Pod Security version labels', () => {
    // The Pod Security version labels and the kubectl image of the snapshot job follow the minor by design.
    const normalise = (objects: Manifest[], v: string) => JSON.stringify(objects).split(`v${v}`).join('vX').replace(/alpine\/kubectl:1\.\d+\.\d+/g, 'alpine/kubectl:X');
    for (const cloud of CLOUDS) {
      const at = (minor: number) => matrix.find((r) => r.cloud === cloud && r.version.minor === minor)!;
      // 1.29 and 1.30 are between the sidecar gate (1.29) and the traffic-distribution gate (1.31); the only
      // difference is the snapshot job's admission policy (ValidatingAdmissionPolicy, 1.30), where snapshots are rendered.
      // And the training Job's exit-code rules, which carry `onPodConditions: []` until the field is optional (1.30).
      const withoutAdmission = (objects: Manifest[]) => objects.filter((o) => !o.kind.startsWith('ValidatingAdmissionPolicy'));
      expect(normalise(withoutAdmission(at(30).objects), '1.30')).toBe(normalise(at(29).objects, '1.29').split(',"onPodConditions":[]').join(''));
      expect(at(30).objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').length).toBe(at(30).profile.snapshotDriver ? 1 : 0);
      expect(normalise(at(28).objects, '1.28')).not.toBe(normalise(at(29).objects, '1.29'));
    }
  });
});
