import { App } from 'cdk8s';
import { renderProfile } from '../../lib';
import { NAMESPACES, buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { sizingFor } from '../../apps/sizing';
import { find } from '../support/synth';

describe('the reference platform database', () => {
  test.each(referenceProfiles().map((p) => [p.name, p] as const))('%s: a 3-replica PostgreSQL 16 in ml-db, one synchronous replica, Patroni failover, gated', (_name, profile) => {
    const app = new App();
    const platform = buildPlatform(app, profile);
    const db = platform.database;
    expect(db.namespace).toBe(NAMESPACES.databases);
    expect(db.primaryHost).toBe('postgres-0.postgres-headless.ml-db.svc.cluster.local');
    expect(db.readWriteService.host).toBe('postgres-rw.ml-db.svc.cluster.local');
    expect(db.readOnlyService?.host).toBe('postgres-ro.ml-db.svc.cluster.local');

    const rendered = renderProfile(app, profile); // throws when a construct validation or a gate fails
    const objects = rendered.objects as any[];
    const sts = find(objects, 'StatefulSet', 'postgres');
    expect(sts.metadata.namespace).toBe('ml-db');
    expect(sts.spec.replicas).toBe(3);
    // Patroni (Spilo) is the server; the exporter is a native sidecar (1.29+, every reference profile's version).
    expect(sts.spec.template.spec.containers.map((c: any) => c.image)).toEqual(['ghcr.io/zalando/spilo-16:3.2-p3']);
    expect(sts.spec.template.spec.initContainers.map((c: any) => [c.image, c.restartPolicy ?? null])).toEqual(
      [['quay.io/prometheuscommunity/postgres-exporter:v0.15.0', 'Always']]);
    const sizing = sizingFor(profile).database;
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: platform.pack.fast.storageClassName, resources: { requests: { storage: sizing.size } } });
    // Patroni: shared_buffers is a quarter of the memory limit; one synchronous standby.
    const patroni = JSON.parse(find(objects, 'ConfigMap', 'postgres-patroni').data['patroni.yml']);
    expect(patroni.postgresql.parameters.shared_buffers).toBe(profile.name === 'kind' ? '128MB' : '512MB');
    expect(patroni.bootstrap.dcs).toMatchObject({ synchronous_mode: true, synchronous_node_count: 1, synchronous_mode_strict: false });
    expect(find(objects, 'Service', 'postgres-rw').spec.selector.role).toBe('primary');
    expect(find(objects, 'Role', 'postgres-patroni').metadata.namespace).toBe('ml-db');
  });
});
