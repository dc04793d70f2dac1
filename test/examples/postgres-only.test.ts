import { Profile } from '../../lib';
import { NAMESPACE, REPORTING_PODS, build } from '../../examples/postgres-only/main';
import { all, find, selects } from '../support/synth';
import { envOf, renderExample } from './render';

describe('examples/postgres-only', () => {
  const { database, reporting, rendered, objects } = renderExample(build);
  const sts = find(objects, 'StatefulSet', 'postgres');
  const podLabels = (ordinal: number) => ({ ...sts.spec.template.metadata.labels, 'statefulset.kubernetes.io/pod-name': `postgres-${ordinal}` });

  test('renders on EKS (its default profile) into platform and postgres files, passing the gates', () => {
    expect(rendered.profile.name).toBe('eks');
    expect(rendered.gates.errors).toEqual([]);
    expect(rendered.files.map((f) => f.name)).toEqual(['platform.k8s.yaml', 'postgres.k8s.yaml', 'kustomization.yaml']);
    expect(find(objects, 'Namespace', NAMESPACE).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('three pods, each with its own 50Gi claim on the fast tier (encrypted gp3 with provisioned IOPS)', () => {
    expect(sts.metadata.namespace).toBe(NAMESPACE);
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.serviceName).toBe('postgres-headless');
    expect(sts.spec.volumeClaimTemplates).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ name: 'data' }),
      spec: {
        accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, storageClassName: 'ml-fast-v1',
        // EKS 1.35: provisioned IOPS/throughput also in a VolumeAttributesClass, so they can change on live volumes.
        volumeAttributesClassName: all(objects, 'VolumeAttributesClass')[0].metadata.name,
      },
    })]);
    expect(all(objects, 'VolumeAttributesClass').map((c) => [c.driverName, c.parameters])).toEqual([['ebs.csi.aws.com', { iops: '6000', throughput: '250' }]]);
    const fast = find(objects, 'StorageClass', 'ml-fast-v1');
    expect(fast.provisioner).toBe('ebs.csi.aws.com');
    expect(fast.parameters).toMatchObject({ type: 'gp3', iops: '6000', encrypted: 'true' });
    expect(database.claimName(2)).toBe('data-postgres-2');
  });

  test('the read-write Service selects pod 0 (the primary) only; the read-only Service spreads over every pod', () => {
    const rw = find(objects, 'Service', 'postgres-rw');
    expect(selects(rw.spec.selector, podLabels(0))).toBe(true);
    expect(selects(rw.spec.selector, podLabels(1))).toBe(false);
    expect(selects(rw.spec.selector, podLabels(2))).toBe(false);
    const ro = find(objects, 'Service', 'postgres-ro');
    expect([0, 1, 2].every((i) => selects(ro.spec.selector, podLabels(i)))).toBe(true);
    expect(database.primaryHost).toBe('postgres-0.postgres-headless.analytics.svc.cluster.local');
  });

  test('the superuser password comes from the existing Secret by reference; no Secret is rendered', () => {
    expect(all(objects, 'Secret')).toEqual([]);
    const server = sts.spec.template.spec.containers.find((c: any) => c.name === 'postgres');
    expect(envOf(server).DB_SUPERUSER).toEqual({ secretKeyRef: { name: 'postgres-superuser', key: 'username' } });
    expect(sts.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['postgres']);
    expect(sts.spec.template.spec.initContainers.map((c: any) => [c.name, c.restartPolicy ?? null])).toEqual([['bootstrap', null], ['metrics', 'Always']]);
  });

  test('addDatabase: the reporting database and login, reached through the rw Service, password from reporting-db', () => {
    expect(reporting).toMatchObject({ family: 'postgres', database: 'reporting', user: 'reporting', port: 5432 });
    expect(reporting.host).toBe('postgres-rw.analytics.svc.cluster.local');
    expect(reporting.credentials.secretName).toBe('reporting-db');
    expect(reporting.sqlalchemyUrl('PW')).toBe('postgresql://reporting:$(PW)@postgres-rw.analytics.svc.cluster.local:5432/reporting');
    expect(find(objects, 'ConfigMap', 'postgres-config').data['databases.list']).toContain('reporting reporting');
    const mounted = JSON.stringify(sts.spec.template.spec.volumes);
    expect(mounted).toContain('"name":"reporting-db"');
    expect(database.databases.map((g) => g.database)).toEqual(['reporting']);
  });

  test('the NetworkPolicy admits the reporting pods to 5432 and the database pods to each other, nothing else', () => {
    const policy = find(objects, 'NetworkPolicy', 'postgres');
    expect(policy.metadata.namespace).toBe(NAMESPACE);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const reportingRule = policy.spec.ingress.find((r: any) => r.from.some((p: any) => selects(p.podSelector.matchLabels, REPORTING_PODS)));
    expect(reportingRule.ports).toEqual([{ port: 5432, protocol: 'TCP' }]);
    expect(policy.spec.ingress).toHaveLength(2);
  });

  test.each(['kind', 'gke', 'aks'])('renders and passes the gates on %s too, on that profile\'s fast tier', (name) => {
    const profile = { kind: Profile.kind(), gke: Profile.gke(), aks: Profile.aks() }[name]!;
    const other = renderExample(build, profile);
    expect(other.rendered.gates.errors).toEqual([]);
    const claim = find(other.objects, 'StatefulSet', 'postgres').spec.volumeClaimTemplates[0];
    expect(claim.spec.storageClassName).toBe('ml-fast-v1');
    expect(find(other.objects, 'StorageClass', 'ml-fast-v1').provisioner).toBe(profile.tier('fast').driver.provisioner);
  });
});
