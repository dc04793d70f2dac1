import { App, Chart } from 'cdk8s';
import { renderWith } from '../../apps/main';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import {
  Credentials, DatabaseEngine, ManifestObject, Profile, SecretsInventory, StatefulDatabase, StorageClassPack, renderProfile,
} from '../../lib';

/**
 * Every Secret reference in `objects`, found by walking every field of every object (not the inventory's
 * pod-spec walk): env secretKeyRef, envFrom secretRef, secret and projected volumes, imagePullSecrets.
 */
function secretReferences(objects: readonly ManifestObject[]): Array<{ namespace: string; name: string; key?: string }> {
  const out: Array<{ namespace: string; name: string; key?: string }> = [];
  for (const obj of objects) {
    const namespace = obj.metadata?.namespace ?? 'default';
    const walk = (value: any, parentKey: string) => {
      if (Array.isArray(value)) {
        value.forEach((v) => walk(v, parentKey));
        if (parentKey === 'imagePullSecrets') value.forEach((v) => out.push({ namespace, name: v.name, key: '.dockerconfigjson' }));
        return;
      }
      if (!value || typeof value !== 'object') return;
      for (const [k, v] of Object.entries<any>(value)) {
        if (k === 'secretKeyRef') out.push({ namespace, name: v.name, key: v.key });
        else if (k === 'secretRef' && parentKey !== 'secretStoreRef') out.push({ namespace, name: v.name });
        else if (k === 'secret' && v && typeof v === 'object' && (v.secretName || v.name)) {
          const name = v.secretName ?? v.name;
          if (v.items?.length) v.items.forEach((i: any) => out.push({ namespace, name, key: i.key }));
          else out.push({ namespace, name });
        }
        walk(v, k);
      }
    };
    // An ExternalSecret's spec describes the Secret it writes, not one it reads.
    if (obj.kind !== 'ExternalSecret') walk(obj, '');
  }
  return out;
}

describe('secrets inventory', () => {
  test.each(referenceProfiles().map((p) => [p.name, p] as const))('%s: lists exactly the Secrets the output reads, with their keys', (_name, profile) => {
    const rendered = renderWith(profile, buildPlatform);
    const inventory = JSON.parse(rendered.files.find((f) => f.name === 'secrets.json')!.content).secrets as any[];
    const refs = secretReferences(rendered.objects);
    expect(refs.length).toBeGreaterThan(10);
    const listed = new Set(inventory.map((s) => `${s.namespace}/${s.name}`));
    // Every reference is listed, with its key; nothing is listed that nothing reads.
    for (const ref of refs) {
      const entry = inventory.find((s) => s.namespace === ref.namespace && s.name === ref.name);
      expect([ref, entry !== undefined]).toEqual([ref, true]);
      if (ref.key) expect(entry.keys).toContain(ref.key);
      else expect(entry.readWhole).toBe(true);
    }
    expect([...listed].sort()).toEqual([...new Set(refs.map((r) => `${r.namespace}/${r.name}`))].sort());
    for (const s of inventory) {
      expect(s.kubectl).toBe(`kubectl -n ${s.namespace} create secret generic ${s.name} ${s.keys.map((k: string) => `--from-literal=${k}=<${k}>`).join(' ')}`);
    }
    // The reference platform's users each have a Secret in the database's namespace and in the consumer's.
    expect(inventory.filter((s) => s.name === 'postgres-mlflow').map((s) => s.namespace)).toEqual(['ml-db', 'ml-tracking']);
    // The Redis ACL Secret: each key is read by the data pods, the Sentinels or Feast (one readBy entry per reference).
    expect([...new Set(inventory.find((s) => s.namespace === 'ml-features' && s.name === 'feast-redis').readBy.map((r: any) => r.object))])
      .toEqual(['StatefulSet ml-features/feast-redis', 'StatefulSet ml-features/feast-redis-sentinel', 'Deployment ml-features/feast-server']);
    const md = rendered.files.find((f) => f.name === 'SECRETS.md')!.content;
    for (const s of inventory) expect(md).toContain(s.kubectl);
  });

  test('an ExternalSecret replaces the kubectl line; envFrom, whole volumes and pull secrets are listed', () => {
    const app = new App();
    const profile = Profile.kind();
    profile.attachTo(app);
    const chart = new Chart(app, 'db');
    const pack = new StorageClassPack(chart, 'storage');
    new StatefulDatabase(chart, 'postgres', {
      engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', storage: { tier: pack.fast, size: '20Gi' },
      credentials: Credentials.externalSecret({ secretName: 'pg', store: 'vault', remoteKey: 'ml/pg' }),
    });
    const pod = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      imagePullSecrets: [{ name: 'registry' }],
      containers: [{
        name: 'app', image: 'busybox:1.36', envFrom: [{ secretRef: { name: 'app-env' } }],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        volumeMounts: [{ name: 'tls', mountPath: '/tls' }],
      }],
      volumes: [{ name: 'tls', secret: { secretName: 'app-tls' } }],
    };
    // A hand-written Pod, not gated (no resources): the inventory reads any pod template.
    const extra = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'apps' }, spec: pod };
    const inventory = SecretsInventory.of([...renderProfile(app, profile).objects, extra]);
    expect(inventory.entries.map((e) => [e.namespace, e.name, e.keys, e.readWhole, e.externalSecret ?? e.kubectl])).toEqual([
      ['apps', 'app-env', [], true, 'kubectl -n apps create secret generic app-env --from-literal=<key>=<value>'],
      ['apps', 'app-tls', [], true, 'kubectl -n apps create secret generic app-tls --from-literal=<key>=<value>'],
      ['apps', 'registry', ['.dockerconfigjson'], false,
        'kubectl -n apps create secret docker-registry registry --docker-server=<registry> --docker-username=<username> --docker-password=<password>'],
      ['ml-db', 'pg', ['password', 'username'], false, 'ExternalSecret ml-db/pg'],
    ]);
    expect(inventory.entries[0].readBy).toEqual([{ object: 'Pod apps/app', via: 'envFrom (container app)' }]);
    expect(inventory.toMarkdown('t')).toContain('| ml-db | `pg` | `password`, `username` | StatefulSet ml-db/postgres | ExternalSecret ml-db/pg |');
  });
});
