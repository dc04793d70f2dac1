import { App } from 'cdk8s';
import { NAMESPACES, buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { runGates } from '../../lib';
import { Manifest, find, selects } from '../support/synth';

describe.each(referenceProfiles().map((p) => [p.name, p] as const))('reference platform on %s: the feature store', (_, profile) => {
  const app = new App();
  const platform = buildPlatform(app, profile);
  const objects = app.charts.flatMap((c) => c.toJson()) as Manifest[];
  const store = platform.features;

  test('lives in ml-features: Redis primary + 2 replicas on the IOPS tier, 2 feature servers', () => {
    expect(store.namespace).toBe(NAMESPACES.features);
    const sts = find(objects, 'StatefulSet', 'feast-redis');
    expect(sts.metadata.namespace).toBe('ml-features');
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe(platform.pack.iops.storageClassName);
    expect(find(objects, 'Deployment', 'feast-server').spec.replicas).toBe(2);
  });

  test('its registry is its own database on the platform PostgreSQL, which admits the feature server', () => {
    expect(store.registry.database).toBe(platform.database);
    expect(platform.database.databases.map((g) => g.database)).toContain('feast');
    const dbPolicy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === NAMESPACES.databases && o.metadata.name === 'postgres')!;
    const serverLabels = find(objects, 'Deployment', 'feast-server').spec.template.metadata.labels;
    expect(dbPolicy.spec.ingress.some((rule: any) => rule.from.some((peer: any) =>
      peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'ml-features' &&
      selects(peer.podSelector.matchLabels, serverLabels)))).toBe(true);
  });

  test('its objects pass the schema and policy gates', () => {
    const report = runGates(objects as any, { kubeVersion: String(profile.kubeVersion) });
    const mine = report.errors.filter((f: any) => / ml-features\//.test(` ${f.object}`));
    expect(mine).toEqual([]);
  });
});
