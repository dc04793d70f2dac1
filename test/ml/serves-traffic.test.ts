import { Chart } from 'cdk8s';
import {
  ArtifactStore, Credentials, DatabaseEngine, FeatureStore, IServesTraffic, MlflowCluster, NetworkPeer, ObjectStore, PeerLike, Probe, Profile,
  RedisServer, RedisUsers, Registry, StatefulDatabase, StatefulWorkload, StorageClassPack,
} from '../../lib';
import { find, newChart, synth } from '../support/synth';

/**
 * Every construct that serves traffic takes one `allowFrom(peer: PeerLike)` (IServesTraffic, issue #22): each form of
 * PeerLike ends up as a rule of the NetworkPolicy in front of the construct's pods, on the port its clients use.
 */
interface Server {
  readonly server: IServesTraffic;
  /** The NetworkPolicy `allowFrom` writes, and the port a client is admitted to. */
  readonly policy: string;
  readonly port: number;
}

const SERVERS: ReadonlyArray<readonly [string, (chart: Chart, pack: StorageClassPack) => Server]> = [
  ['StatefulWorkload', (chart) => ({
    server: new StatefulWorkload(chart, 'kv', {
      name: 'kv', namespace: 'ml-data',
      containers: [{ name: 'server', image: 'example/kv:1.2.3', ports: [{ name: 'client', port: 7000 }], readinessProbe: Probe.tcp('client') }],
    }),
    policy: 'kv', port: 7000,
  })],
  ['StatefulDatabase', (chart, pack) => ({
    server: new StatefulDatabase(chart, 'postgres', {
      engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', replicas: 1,
      storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('postgres-credentials'),
    }),
    policy: 'postgres', port: 5432,
  })],
  ['ObjectStore', (chart, pack) => ({
    server: new ObjectStore(chart, 'minio', {
      namespace: 'ml-data', storage: { tier: pack.standard, size: '10Gi' }, credentials: Credentials.existingSecret('minio-root'),
    }),
    policy: 'minio', port: 9000,
  })],
  ['RedisServer', (chart, pack) => ({
    server: new RedisServer(chart, 'redis', {
      name: 'cache', namespace: 'ml-data', users: RedisUsers.fromSecret('cache-users'), storage: { tier: pack.fast, size: '10Gi' },
    }),
    policy: 'cache', port: 6379,
  })],
  ['MlflowCluster', (chart, pack) => {
    const db = new StatefulDatabase(chart, 'postgres', {
      engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', replicas: 1,
      storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('postgres-credentials'),
    });
    const minio = new ObjectStore(chart, 'minio', {
      namespace: 'ml-data', storage: { tier: pack.standard, size: '10Gi' }, buckets: ['ml-artifacts'], credentials: Credentials.existingSecret('minio-root'),
    });
    return {
      server: new MlflowCluster(chart, 'mlflow', { namespace: 'ml-tracking', backend: db, artifacts: ArtifactStore.objectStore(minio, 'ml-artifacts') }),
      policy: 'mlflow', port: 5000,
    };
  }],
  ['FeatureStore', (chart, pack) => ({
    server: new FeatureStore(chart, 'feast', {
      namespace: 'ml-features', project: 'ml_features', registry: Registry.file({ tier: pack.standard }), featureServer: { replicas: 1 },
      online: { storage: { tier: pack.fast, size: '10Gi' } },
    }),
    policy: 'feast-server', port: 6566,
  })],
];

/** Each form `allowFrom` accepts, and the `from` entry of the rule it must render. */
const PEERS: ReadonlyArray<readonly [string, (chart: Chart) => PeerLike, object]> = [
  ['an IPeerable construct', (chart) => new StatefulWorkload(chart, 'client', {
    name: 'client', namespace: 'ml-clients', containers: [{ name: 'client', image: 'example/client:1.0.0' }],
  }), {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-clients' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'client', 'app.kubernetes.io/instance': 'client' } },
  }],
  ['a { namespace, podSelector }', () => ({ namespace: 'notebooks', podSelector: { app: 'jupyter' } }), {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'notebooks' } },
    podSelector: { matchLabels: { app: 'jupyter' } },
  }],
  ['NetworkPeer.namespace(...)', () => NetworkPeer.namespace('ingress-nginx'), {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
    podSelector: {},
  }],
];

describe.each(SERVERS)('%s serves traffic', (_, build) => {
  test.each(PEERS)('allowFrom(%s) renders a NetworkPolicy rule for the peer on the client port', (_form, peerOf, from) => {
    const { chart } = newChart(Profile.kind());
    const pack = new StorageClassPack(chart, 'storage', { profile: Profile.kind() });
    const { server, policy, port } = build(chart, pack);
    server.allowFrom(peerOf(chart));
    const rendered = find(synth(chart), 'NetworkPolicy', policy);
    expect(rendered.spec.ingress).toContainEqual({ from: [from], ports: [{ protocol: 'TCP', port }] });
  });
});

test('StatefulWorkload.allowFrom without ports admits every container port, and refuses when there is none', () => {
  const { chart } = newChart(Profile.kind());
  const workload = new StatefulWorkload(chart, 'kv', {
    name: 'kv', namespace: 'ml-data',
    containers: [{ name: 'server', image: 'example/kv:1.2.3', ports: [{ name: 'client', port: 7000 }, { name: 'metrics', port: 9121 }] }],
  });
  const silent = new StatefulWorkload(chart, 'batch', { name: 'batch', namespace: 'ml-data', containers: [{ name: 'work', image: 'example/batch:1.0.0' }] });
  workload.allowFrom(NetworkPeer.namespace('monitoring'));
  expect(() => silent.allowFrom(NetworkPeer.namespace('monitoring')))
    .toThrow("StatefulWorkload 'test/batch' serves no ports: pass the ports to admit to allowFrom(peer, ports).");
  const rendered = find(synth(chart), 'NetworkPolicy', 'kv');
  expect(rendered.spec.ingress).toContainEqual({
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }],
    ports: [{ protocol: 'TCP', port: 7000 }, { protocol: 'TCP', port: 9121 }],
  });
});
