import { spawnSync } from 'child_process';
import { ApiObject } from 'cdk8s';
import { REPORT_FILES, Topology } from '../../lib/gitops';
import { renderWith } from '../../apps/main';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { sizingFor } from '../../apps/sizing';
import { container, deployment, labels, objectsOf, podSpec, service, statefulSet, storageClass } from './fixtures';
import { testWith } from '../support/tools';

/** The trainer's kind per reference profile: a Job, or a StatefulSet where GPU ranks have no ReadWriteMany checkpoint tier. */
const TRAINER_KIND: Record<string, string> = { kind: 'Job', gke: 'StatefulSet', eks: 'StatefulSet', aks: 'Job' };


/** Structural checks of a Mermaid flowchart as we write it: every edge endpoint declared, subgraphs closed. */
function checkMermaid(text: string, namespaces: readonly string[]): void {
  const lines = text.trimEnd().split('\n');
  expect(lines.filter((l) => !l.startsWith('%%'))[0]).toBe('flowchart LR');
  const declared = new Map<string, number>();
  let depth = 0;
  const subgraphs: string[] = [];
  for (const line of lines.filter((l) => !l.startsWith('%%')).slice(1)) {
    const t = line.trim();
    if (t.startsWith('subgraph ')) {
      depth++;
      const m = /^subgraph (ns__\w+)\["namespace ([^"]+)"\]$/.exec(t);
      expect(m).not.toBeNull();
      subgraphs.push(m![2]);
      continue;
    }
    if (t === 'end') { depth--; expect(depth).toBe(0); continue; }
    if (t.startsWith('classDef ')) continue;
    const cls = /^class ([\w,]+) (\w+)$/.exec(t);
    if (cls) { for (const id of cls[1].split(',')) expect(declared.has(id)).toBe(true); continue; }
    const edge = /^(\w+) (==>|-\.->|---|-->)(\|"[^"]*"\|)? (\w+)$/.exec(t);
    if (edge) {
      expect(declared.has(edge[1])).toBe(true);
      expect(declared.has(edge[4])).toBe(true);
      continue;
    }
    // Node declarations, one shape each, quoted label without raw quotes.
    const node = /^(\w+)(\[\["[^"]*"\]\]|\["[^"]*"\]|\(\["[^"]*"\]\)|\[\("[^"]*"\)\]|>"[^"]*"\])$/.exec(t);
    expect({ line: t, ok: Boolean(node) }).toEqual({ line: t, ok: true });
    expect(depth).toBe(1);
    declared.set(node![1], (declared.get(node![1]) ?? 0) + 1);
  }
  expect(depth).toBe(0);
  expect(subgraphs).toEqual([...namespaces]);
  expect([...declared.values()].every((n) => n === 1)).toBe(true);
}

function renderDot(text: string): { status: number | null; stderr: string; stdout: string } {
  const run = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

describe('Topology of a hand-built chart', () => {
  const objects = objectsOf((chart) => {
    storageClass(chart, 'fast-v1', 'fast');
    new ApiObject(chart, 'ns-data', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'data', labels: { team: 'db' } } });
    statefulSet(chart, 'data', 'db', 3, podSpec([container('db', { cpu: '1' })]), [['data', '20Gi', 'fast-v1']]);
    service(chart, 'data', 'db-headless', 'db', 5432, true);
    service(chart, 'data', 'db-rw', 'db', 5432);
    statefulSet(chart, 'data', 'cache', 2, podSpec([container('cache', { cpu: '1' })]));
    service(chart, 'data', 'cache-headless', 'cache', 6379, true);
    // The app: the database by its client Service DNS name (env), the cache by a pod DNS name (in a ConfigMap it mounts).
    new ApiObject(chart, 'cm', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'web' },
      data: { 'config.yaml': 'cache: cache-0.cache-headless.data.svc.cluster.local:6379\n' },
    });
    deployment(chart, 'web', 'app', 2, podSpec([container('app', { cpu: '100m' }, undefined, {
      env: [{ name: 'DB_URL', value: 'postgresql://u@db-rw.data.svc.cluster.local:5432/app' }],
      volumeMounts: [{ name: 'config', mountPath: '/etc/app' }, { name: 'shared', mountPath: '/shared', readOnly: true }],
    })], { volumes: [{ name: 'config', configMap: { name: 'app-config' } }, { name: 'shared', persistentVolumeClaim: { claimName: 'datasets' } }] }));
    new ApiObject(chart, 'pvc', {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'datasets', namespace: 'web' },
      spec: { accessModes: ['ReadWriteMany'], storageClassName: 'fast-v1', resources: { requests: { storage: '1Ti' } } },
    });
    // A worker admitted by NetworkPolicy only (no DNS name in its config): the namespace picked by a label.
    deployment(chart, 'jobs', 'worker', 1, podSpec([container('w', { cpu: '100m' })]));
    new ApiObject(chart, 'np', {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: 'data' },
      spec: {
        podSelector: { matchLabels: labels('db') }, policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: labels('db') } }] }, // replication among the db pods: no self edge
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'jobs' } }, podSelector: { matchLabels: labels('worker') } }], ports: [{ port: 5432, protocol: 'TCP' }] },
          { from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
        ],
      },
    });
  });
  const topology = Topology.of(objects, { title: 'hand-built' });

  test('wiring from DNS names (env, mounted ConfigMaps, pod names under headless Services) and NetworkPolicy peers', () => {
    expect(topology.edges.filter((e) => e.type === 'connects')).toEqual([
      { from: 'deploy__jobs__worker', to: 'sts__data__db', type: 'connects', label: '5432/TCP' },
      { from: 'deploy__web__app', to: 'sts__data__cache', type: 'connects', label: 'cache-headless' },
      { from: 'deploy__web__app', to: 'sts__data__db', type: 'connects', label: 'db-rw' },
    ]);
    expect(topology.describeEdges('mounts')).toEqual(['Deployment web/app -> PersistentVolumeClaim web/datasets']);
    expect(topology.edges.find((e) => e.type === 'mounts')!.label).toBe('/shared (ro)');
    expect(topology.describeEdges('selects')).toEqual([
      'Service data/cache-headless -> StatefulSet data/cache',
      'Service data/db-headless -> StatefulSet data/db',
      'Service data/db-rw -> StatefulSet data/db',
    ]);
    expect(topology.describeEdges('claims')).toEqual(['StatefulSet data/db -> volumeClaimTemplate data/data']);
  });

  test('nodes: replicas, headless Services, claim templates with size and tier', () => {
    expect(topology.namespaces).toEqual(['data', 'jobs', 'web']);
    expect(topology.node('sts__data__db')!.lines).toEqual(['StatefulSet db', '3 replicas']);
    expect(topology.node('svc__data__db_headless')).toMatchObject({ headless: true, lines: ['Service db-headless', 'headless :5432'] });
    expect(topology.node('svc__data__db_rw')).toMatchObject({ headless: false, lines: ['Service db-rw', 'ClusterIP :5432'] });
    expect(topology.node('vct__data__db__data')!.lines).toEqual(['data-db-{0..2}', '20Gi, fast-v1 (fast), RWO each']);
    expect(topology.node('pvc__web__datasets')!.lines).toEqual(['PersistentVolumeClaim datasets', '1Ti, fast-v1 (fast), RWX']);
  });

  test('Mermaid and Graphviz: well formed, deterministic whatever the object order', () => {
    const mermaid = topology.toMermaid();
    checkMermaid(mermaid, topology.namespaces);
    expect(mermaid).toContain('  deploy__web__app ==>|"db-rw"| sts__data__db\n');
    expect(mermaid).toContain('  class svc__data__cache_headless,svc__data__db_headless headless\n');
    const dot = topology.toDot();
    expect(dot).toContain('  subgraph "cluster_data" {\n    label="namespace data";');
    expect(dot).toContain('"svc__data__db_headless" [label="Service db-headless\\nheadless :5432", shape=ellipse, style=dashed];');
    const shuffled = Topology.of([...objects].reverse(), { title: 'hand-built' });
    expect([shuffled.toMermaid(), shuffled.toDot()]).toEqual([mermaid, dot]);
  });

  test('ids stay distinct for names that differ only in punctuation', () => {
    const t = Topology.of(objectsOf((chart) => {
      for (const name of ['a-b', 'a--b', 'a.b']) statefulSet(chart, 'ns', name, 1, podSpec([container('c', { cpu: '1' })]));
    }));
    expect(t.nodes.map((n) => n.id)).toEqual(['sts__ns__aDb', 'sts__ns__a_Hb', 'sts__ns__a_b']);
  });

  testWith('dot')('dot -Tsvg accepts it', () => {
    const run = renderDot(topology.toDot());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('<svg');
  });
});

describe('Topology of the reference platform', () => {
  const rendered = referenceProfiles().map((profile) => renderWith(profile, buildPlatform));
  const cases = rendered.map((r) => [r.profile.name, r] as const);

  test.each(cases)('%s: MLflow → PostgreSQL and MinIO, Feast → Redis and PostgreSQL, trainer → MLflow and datasets', (name, r) => {
    const topology = Topology.of(r.objects);
    const connects = topology.describeEdges('connects');
    expect(connects).toEqual(expect.arrayContaining([
      'Deployment ml-tracking/mlflow -> StatefulSet ml-db/postgres',
      'Deployment ml-tracking/mlflow -> StatefulSet ml-tracking/minio',
      'Deployment ml-features/feast-server -> StatefulSet ml-features/feast-redis',
      'Deployment ml-features/feast-server -> StatefulSet ml-features/feast-redis-sentinel',
      'Deployment ml-features/feast-server -> StatefulSet ml-db/postgres',
      `${TRAINER_KIND[name]} ml-training/pytorch -> Deployment ml-tracking/mlflow`,
    ]));
    expect(connects.some((c) => /^Job ml-tracking\/mlflow-db-migrate-[0-9a-f]{8} -> StatefulSet ml-db\/postgres$/.test(c))).toBe(true);
    // Both kinds of evidence agree: the client Service named in the config and the port the NetworkPolicy admits.
    const label = (from: string, to: string) => topology.edges.find((e) => e.type === 'connects' && e.from === from && e.to === to)?.label;
    expect(label('deploy__ml_tracking__mlflow', 'sts__ml_db__postgres')).toBe('postgres-rw, 5432/TCP');
    // Feast's config names the Sentinels; it reaches the primary they name on the port the policy admits.
    expect(label('deploy__ml_features__feast_server', 'sts__ml_features__feast_redis_sentinel')).toBe('feast-redis-sentinel-headless, 26379/TCP');
    expect(label('deploy__ml_features__feast_server', 'sts__ml_features__feast_redis')).toBe('6379/TCP');
    const trainer = TRAINER_KIND[name] === 'Job' ? 'job__ml_training__pytorch' : 'sts__ml_training__pytorch';
    expect(label(trainer, 'deploy__ml_tracking__mlflow')).toBe('mlflow, 5000/TCP');
    // The shared dataset exists where the profile has ReadWriteMany storage (not on kind; on GKE and EKS only with
    // the cluster input the reference clusters do not declare).
    expect(topology.describeEdges('mounts').includes(`${TRAINER_KIND[name]} ml-training/pytorch -> PersistentVolumeClaim ml-training/imagenet`)).toBe(r.profile.supportsReadWriteMany);
    expect(r.profile.supportsReadWriteMany).toBe(name === 'aks');
    // A training Job's checkpoints: one claim every rank mounts a directory of.
    if (TRAINER_KIND[name] === 'Job') expect(topology.describeEdges('mounts')).toContain('Job ml-training/pytorch -> PersistentVolumeClaim ml-training/checkpoints-pytorch');
    expect(topology.node('vct__ml_db__postgres__data')!.lines[1]).toMatch(/^\d+Gi, ml-fast-v1 \(fast\), RWO each$/);
    const { minReplicas, maxReplicas } = sizingFor(r.profile).tracking;
    expect(topology.node('deploy__ml_tracking__mlflow')!.lines[1]).toBe(`${minReplicas}–${maxReplicas} replicas (HPA)`);
    expect(topology.namespaces).toEqual(['ml-db', 'ml-features', 'ml-tracking', 'ml-training']);
  });

  test.each(cases)('%s: topology.mmd and topology.dot are in the render, well formed and deterministic', (_name, r) => {
    const file = (n: string) => r.files.find((f) => f.name === n)!.content;
    const topology = Topology.of(r.objects);
    checkMermaid(file(REPORT_FILES.mermaid), topology.namespaces);
    const again = renderWith(r.profile, buildPlatform);
    expect(again.files.find((f) => f.name === REPORT_FILES.dot)!.content).toBe(file(REPORT_FILES.dot));
    expect(again.files.find((f) => f.name === REPORT_FILES.mermaid)!.content).toBe(file(REPORT_FILES.mermaid));
  });

  for (const [name, r] of cases) {
    testWith('dot')(`${name}: dot -Tsvg renders topology.dot`, () => {
      const run = renderDot(r.files.find((f) => f.name === REPORT_FILES.dot)!.content);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Topology: ');
    });
  }
});
