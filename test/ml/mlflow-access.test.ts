import {
  ArtifactStore, Credentials, DatabaseEngine, ExternalDatabase, IDatabase, MlflowCache, MlflowCluster, MlflowClusterProps,
  NetworkPeer, ObjectStore, Profile, StatefulDatabase, StorageClassPack,
} from '../../lib';
import { MLFLOW_ENGINES_PER_WORKER } from '../../lib/ml';
import { Manifest, find, newChart, synth } from '../support/synth';
import { expectGatesPass } from '../support/gates';

const NS = 'ml-tracking';

function setup(profile: Profile = Profile.kind(), options: { maxConnections?: number; console?: boolean; internalLoadBalancer?: boolean } = {}) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage', { profile });
  const db = new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', replicas: 1, maxConnections: options.maxConnections,
    storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('postgres-credentials'),
  });
  const minio = new ObjectStore(chart, 'minio', {
    namespace: NS, storage: { tier: pack.standard, size: '100Gi' }, buckets: ['ml-artifacts'],
    credentials: Credentials.existingSecret('minio-root'), console: options.console, internalLoadBalancer: options.internalLoadBalancer,
  });
  const mlflow = (props: Partial<MlflowClusterProps> = {}, backend: IDatabase = db) => new MlflowCluster(chart, 'mlflow', {
    namespace: NS, backend,
    artifacts: ArtifactStore.objectStore(minio, 'ml-artifacts'),
    cache: MlflowCache.emptyDir('10Gi'),
    autoscaling: { minReplicas: 3, maxReplicas: 10 },
    ...props,
  });
  return { chart, db, minio, mlflow };
}

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
const namespaceWide = (namespace: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } }, podSelector: {} });
const rulesFor = (policy: Manifest) => new Map<string, number[]>(policy.spec.ingress.map((r: any) => [
  r.from === undefined ? 'anywhere' : r.from[0].ipBlock?.cidr ?? `${r.from[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] ?? 'self'}/${
    Object.values(r.from[0].podSelector?.matchLabels ?? {}).join(',')}`,
  (r.ports ?? []).map((p: any) => p.port),
]));
const env = (o: Manifest, name: string): Record<string, string> =>
  Object.fromEntries(o.spec.template.spec.containers.find((c: any) => c.name === name).env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));

describe('MlflowCluster and ObjectStore admit whole namespaces and CIDRs', () => {
  test('an ingress controller\'s namespace reaches the MLflow UI next to the trainers', () => {
    const { chart, mlflow } = setup();
    const tracking = mlflow();
    tracking.allowFrom({ asPeer: () => ({ namespace: 'ml-training', podSelector: { 'app.kubernetes.io/name': 'trainer' } }) });
    tracking.allowFrom(NetworkPeer.namespace('ingress-nginx'));
    tracking.allowFrom({ namespace: 'notebooks', podSelector: {} });
    tracking.allowFrom(NetworkPeer.cidr('10.20.0.0/16'));
    const policy = find(synth(chart), 'NetworkPolicy', 'mlflow');
    expect(policy.spec.ingress).toContainEqual({ from: [namespaceWide('ingress-nginx')], ports: tcp(5000) });
    expect(policy.spec.ingress).toContainEqual({ from: [namespaceWide('notebooks')], ports: tcp(5000) });
    expect(policy.spec.ingress).toContainEqual({ from: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: tcp(5000) });
    expect([...rulesFor(policy).keys()]).toEqual(['self/mlflow,mlflow', 'ingress-nginx/', '10.20.0.0/16', 'ml-training/trainer', 'notebooks/']);
  });

  test.each([Profile.gke(), Profile.eks({ efsFileSystemId: 'fs-0123456789abcdef0' }), Profile.aks()])(
    'an internal load balancer in front of restricted MLflow admits its port from any source ($name)', (profile) => {
      const { chart, mlflow } = setup(profile);
      const tracking = mlflow({ internalLoadBalancer: true });
      tracking.allowFrom(NetworkPeer.namespace('ingress-nginx'));
      const objects = synth(chart);
      expect(find(objects, 'Service', 'mlflow').spec.type).toBe('LoadBalancer');
      expect(find(objects, 'NetworkPolicy', 'mlflow').spec.ingress).toContainEqual({ ports: tcp(5000) });
      expectGatesPass(objects, profile);
    });

  test('the MinIO console is admitted only to the peers declared for it; S3 clients get the API only', () => {
    const { chart, minio, mlflow } = setup();
    mlflow();
    minio.allowFrom({ namespace: 'ml-ops', podSelector: { app: 'backup' } });
    minio.allowFrom(NetworkPeer.namespace('notebooks'));
    minio.allowConsoleFrom(NetworkPeer.namespace('ingress-nginx'));
    const rules = rulesFor(find(synth(chart), 'NetworkPolicy', 'minio'));
    expect(rules.get('ingress-nginx/')).toEqual([9001]);
    expect(rules.get('notebooks/')).toEqual([9000]);
    expect(rules.get('ml-ops/backup')).toEqual([9000]);
    expect(rules.get(`${NS}/mlflow,mlflow`)).toEqual([9000]);
    expect([...rules.entries()].filter(([, ports]) => ports.includes(9001)).map(([peer]) => peer)).toEqual(['ingress-nginx/']);
  });

  test('an internal load balancer in front of MinIO admits the API and console ports from any source', () => {
    const { chart, minio } = setup(Profile.gke(), { internalLoadBalancer: true });
    minio.allowFrom(NetworkPeer.namespace('notebooks'));
    expect(find(synth(chart), 'NetworkPolicy', 'minio').spec.ingress).toContainEqual({ ports: tcp(9000, 9001) });
  });

  test('no console, nothing to admit to it', () => {
    const { minio } = setup(Profile.kind(), { console: false });
    expect(() => minio.allowConsoleFrom(NetworkPeer.namespace('ingress-nginx'))).toThrow(
      "ObjectStore 'test/minio' does not serve the console (console: false): set console: true or admit the API with allowFrom.");
  });
});

test.each([['postgres', DatabaseEngine.postgres('16.4'), 9187], ['mysql', DatabaseEngine.mysql('8.4.3'), 9104]] as const)(
  'Prometheus\'s namespace scrapes the %s exporter of a database restricted to MLflow', (_name, engine, port) => {
    const { chart } = newChart(Profile.gke());
    const pack = new StorageClassPack(chart, 'storage');
    const db = new StatefulDatabase(chart, 'db', {
      engine, namespace: 'ml-db', metrics: true, storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('db-root'),
    });
    db.allowFrom({ namespace: NS, podSelector: { 'app.kubernetes.io/name': 'mlflow' } });
    db.allowMetricsFrom({ namespace: 'monitoring', podSelector: {} });
    const ingress = synth(chart).find((o) => o.kind === 'NetworkPolicy')!.spec.ingress;
    expect(ingress).toContainEqual({ from: [namespaceWide('monitoring')], ports: tcp(port) });
    expect(ingress.filter((r: any) => r.ports?.some((p: any) => p.port === port))).toHaveLength(1);
  });

describe('MLflow database connection budget', () => {
  test('the pool reaches MLflow through its SQLAlchemy settings; the defaults fit a 200-connection PostgreSQL at 10 servers', () => {
    const { chart, db, mlflow } = setup();
    mlflow();
    const objects = synth(chart);
    expect(db.maxConnections).toBe(200);
    expect(env(find(objects, 'Deployment', 'mlflow'), 'mlflow')).toMatchObject({
      MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: '2', MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: '2',
    });
    // 10 servers × 2 workers × 2 engines × (2 + 2) = 160 ≤ 200 − 20.
    expect(10 * 2 * MLFLOW_ENGINES_PER_WORKER * (2 + 2)).toBe(160);
  });

  test('SQLAlchemy\'s own default pool at full scale fails synth with the arithmetic and the fixes', () => {
    const { chart, mlflow } = setup();
    mlflow({ connectionPool: { poolSize: 5, maxOverflow: 10 } });
    expect(() => synth(chart)).toThrow(
      '[test/mlflow] at full scale 10 servers × 2 workers × 2 SQLAlchemy engines (tracking and model registry) × (poolSize 5 + maxOverflow 10) = 600 connections ' +
      'to postgres-rw.ml-db.svc.cluster.local, more than the 180 it has left (maxConnections 200 − reserve 20): ' +
      "lower connectionPool.poolSize/maxOverflow, workers or the maximum of servers, or raise the database's maxConnections");
  });

  test('the limit is exact: maxConnections, reserve, workers and the autoscaler\'s maximum all count', () => {
    const fits = setup(Profile.kind(), { maxConnections: 170 });
    fits.mlflow({ workers: 3, autoscaling: { minReplicas: 1, maxReplicas: 5 }, connectionPool: { poolSize: 1, maxOverflow: 4, reserve: 20 } });
    expect(() => synth(fits.chart)).not.toThrow(); // 5 × 3 × 2 × 5 = 150 = 170 − 20
    const over = setup(Profile.kind(), { maxConnections: 170 });
    over.mlflow({ workers: 3, autoscaling: { minReplicas: 1, maxReplicas: 5 }, connectionPool: { poolSize: 1, maxOverflow: 4, reserve: 21 } });
    expect(() => synth(over.chart)).toThrow('= 150 connections to postgres-rw.ml-db.svc.cluster.local, more than the 149 it has left (maxConnections 170 − reserve 21)');
    const fixed = setup();
    fixed.mlflow({ replicas: 12, autoscaling: undefined });
    expect(() => synth(fixed.chart)).toThrow('at full scale 12 servers × 2 workers × 2 SQLAlchemy engines (tracking and model registry) × (poolSize 2 + maxOverflow 2) = 192 connections');
  });

  test('a database of unknown size (ExternalDatabase) is not checked; bad pool values are', () => {
    const { chart, mlflow } = setup();
    const rds = ExternalDatabase.fromSecret(chart, 'rds', {
      family: 'postgres', host: 'mlflow.abc123.eu-west-1.rds.amazonaws.com', namespace: NS, name: 'mlflow-db',
      credentials: Credentials.existingSecret('mlflow-db-login'),
    });
    expect((rds as IDatabase).maxConnections).toBeUndefined();
    mlflow({ connectionPool: { poolSize: 50, maxOverflow: 50 } }, rds);
    expect(() => synth(chart)).not.toThrow();

    const bad = setup();
    bad.mlflow({ connectionPool: { poolSize: 0, maxOverflow: 1.5, reserve: -1 } });
    expect(() => synth(bad.chart)).toThrow([
      '[test/mlflow] connectionPool.poolSize 0 must be a whole number ≥ 1',
      '[test/mlflow] connectionPool.maxOverflow 1.5 must be a whole number ≥ 0',
      '[test/mlflow] connectionPool.reserve -1 must be a whole number ≥ 0',
    ].join('\n'));
  });
});

describe('clusterDomain', () => {
  test('trackingUri and the client Service host end in the cluster domain', () => {
    const { mlflow } = setup();
    const tracking = mlflow({ clusterDomain: 'corp.internal' });
    expect(tracking.trackingUri).toBe('http://mlflow.ml-tracking.svc.corp.internal:5000');
    expect(tracking.service.host).toBe('mlflow.ml-tracking.svc.corp.internal');
  });

  test('an invalid cluster domain is refused before anything is built from it', () => {
    const { mlflow } = setup();
    expect(() => mlflow({ clusterDomain: 'Cluster.Local' })).toThrow(
      "MlflowCluster 'test/mlflow': invalid clusterDomain 'Cluster.Local': a DNS name in lower case (letters, digits, '-' and '.'), e.g. 'cluster.local'; use your kubelet's --cluster-domain.");
  });
});
