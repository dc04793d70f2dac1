import {
  ArtifactStore, BackupDestination, Credentials, DatabaseEngine, LogicalBackup, MlflowCache, MlflowCluster, ObjectStore, ObjectStoreProps,
  Profile, ServerTls, StatefulDatabase, StorageClassPack,
} from '../../lib';
import { expectGatesPass } from '../support/gates';
import { Manifest, all, find, findJob, newChart, synth } from '../support/synth';

const NS = 'ml-storage';
const MLFLOW_NS = 'ml-tracking';
const ISSUER = { kind: 'ClusterIssuer' as const, name: 'platform-ca' };

/** A 4-pod MinIO in `ml-storage`, MLflow in `ml-tracking` using it, and a PostgreSQL in `ml-db` backing up into it. */
function platform(extra: Partial<ObjectStoreProps> = {}) {
  const profile = Profile.gke();
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage', { profile });
  const minio = new ObjectStore(chart, 'minio', {
    namespace: NS, replicas: 4, storage: { tier: pack.standard, size: '100Gi' }, buckets: ['ml-artifacts', 'ml-db-backups'],
    credentials: Credentials.existingSecret('minio-root'), ...extra,
  });
  const db = new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', replicas: 3,
    storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('postgres-credentials'),
  });
  new MlflowCluster(chart, 'mlflow', {
    namespace: MLFLOW_NS, backend: db, artifacts: ArtifactStore.objectStore(minio, 'ml-artifacts'),
    cache: MlflowCache.emptyDir('10Gi'), replicas: 3, autoscaling: { minReplicas: 3, maxReplicas: 10, cpuPercent: 70 },
  });
  new LogicalBackup(chart, 'backup', { database: db, destination: BackupDestination.objectStore(minio, 'ml-db-backups'), schedule: '15 1 * * *' });
  return { minio, objects: synth(chart), profile };
}

const podSpec = (o: Manifest): any => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);
const container = (o: Manifest, name: string): any => [...(podSpec(o).initContainers ?? []), ...podSpec(o).containers].find((c: any) => c.name === name);
const env = (c: any, name: string): string | undefined => c.env.find((e: any) => e.name === name)?.value;
/** The Secret volume mounted at `mountPath` in container `c` of `o`. */
const secretAt = (o: Manifest, c: any, mountPath: string): any => {
  const mount = c.volumeMounts.find((m: any) => m.mountPath === mountPath);
  expect(mount).toBeDefined();
  return podSpec(o).volumes.find((v: any) => v.name === mount.name).secret;
};
const mlflowServer = (objects: Manifest[]) => all(objects, 'Deployment').find((d) => d.metadata.namespace === MLFLOW_NS)!;

describe('ObjectStore with tls: MinIO serves https and every client verifies it', () => {
  const { minio, objects, profile } = platform({ tls: ServerTls.certManager({ issuer: ISSUER }) });
  const sts = find(objects, 'StatefulSet', 'minio');
  const server = container(sts, 'minio');
  const headless = 'minio-headless.ml-storage.svc.cluster.local';

  test('MinIO reads public.crt, private.key and CAs/ from its certs dir, projected from the certificate Secret', () => {
    expect(server.args).toEqual([
      'server', '--address', ':9000', '--console-address', ':9001', '--certs-dir', '/etc/minio/certs',
      `https://minio-{0...3}.${headless}/data`,
    ]);
    expect(server.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/minio/certs', readOnly: true });
    expect(podSpec(sts).volumes).toContainEqual({
      name: 'tls',
      secret: {
        secretName: 'minio-tls', defaultMode: 0o440,
        items: [{ key: 'tls.crt', path: 'public.crt' }, { key: 'tls.key', path: 'private.key' }, { key: 'ca.crt', path: 'CAs/ca.crt' }],
      },
    });
  });

  test('the endpoint is https and the health probes speak HTTPS', () => {
    expect(minio.endpoint).toBe('https://minio.ml-storage.svc.cluster.local:9000');
    for (const [probe, path] of [['startupProbe', '/minio/health/live'], ['readinessProbe', '/minio/health/ready'], ['livenessProbe', '/minio/health/live']]) {
      expect([probe, server[probe].httpGet]).toEqual([probe, { path, port: 'api', scheme: 'HTTPS' }]);
    }
  });

  test("the Certificate names the client Service, the headless Service and every pool member MinIO dials", () => {
    const cert = all(objects, 'Certificate').find((c) => c.metadata.name === 'minio-tls')!;
    expect(cert.metadata.namespace).toBe(NS);
    expect(cert.spec.secretName).toBe('minio-tls');
    expect(cert.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining([
      'minio', 'minio.ml-storage', 'minio.ml-storage.svc', 'minio.ml-storage.svc.cluster.local', headless,
      ...[0, 1, 2, 3].map((i) => `minio-${i}.${headless}`),
    ]));
    // The endpoint's host is one of them.
    expect(cert.spec.dnsNames).toContain(new URL(minio.endpoint).hostname);
  });

  test('MLflow (another namespace) talks https and verifies with AWS_CA_BUNDLE from a CA Secret in its own namespace', () => {
    const deployment = mlflowServer(objects);
    const c = container(deployment, 'mlflow');
    expect(env(c, 'MLFLOW_S3_ENDPOINT_URL')).toBe(minio.endpoint);
    const bundle = env(c, 'AWS_CA_BUNDLE')!;
    expect(bundle).toBe('/etc/object-store-ca/ca.crt');
    const secret = secretAt(deployment, c, '/etc/object-store-ca');
    expect(secret.items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
    // The Secret exists in MLflow's namespace: a client Certificate of the same issuer.
    const clientCert = all(objects, 'Certificate').find((o) => o.metadata.namespace === MLFLOW_NS && o.spec.secretName === secret.secretName)!;
    expect(clientCert.metadata.name).toBe('minio-ca');
    expect(clientCert.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  });

  test("the bucket and user Jobs' mc trusts the store's CA under its config dir", () => {
    const job = findJob(objects, 'minio-buckets');
    const c = container(job, 'create-buckets');
    expect(env(c, 'MINIO_ENDPOINT')).toBe(minio.endpoint);
    expect(env(c, 'MC_CONFIG_DIR')).toBe('/tmp/.mc');
    // Same namespace as the store: the store's own Secret, CA only.
    expect(secretAt(job, c, '/tmp/.mc/certs/CAs')).toEqual({ secretName: 'minio-tls', defaultMode: 0o444, items: [{ key: 'ca.crt', path: 'ca.crt' }] });
    const userJobs = all(objects, 'Job').filter((j) => j.metadata.name.startsWith('minio-user-'));
    expect(userJobs.length).toBe(2);
    for (const j of userJobs) expect(secretAt(j, container(j, 'create-user'), '/tmp/.mc/certs/CAs').secretName).toBe('minio-tls');
  });

  test("the logical backup's upload trusts the CA under mc's config dir, from a Secret in the database's namespace", () => {
    const cron = find(objects, 'CronJob', 'postgres-logical-backup');
    const upload = container(cron, 'upload');
    expect(env(upload, 'S3_ENDPOINT')).toBe(minio.endpoint);
    expect(env(upload, 'MC_CONFIG_DIR')).toBe('/tmp/.mc');
    const secret = secretAt(cron, upload, '/tmp/.mc/certs/CAs');
    expect(secret.items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
    expect(all(objects, 'Certificate').some((o) => o.metadata.namespace === 'ml-db' && o.spec.secretName === secret.secretName)).toBe(true);
    // The dump container does not get it.
    expect(container(cron, 'dump').volumeMounts.map((m: any) => m.mountPath)).not.toContain('/tmp/.mc/certs/CAs');
  });

  test('the gates pass', () => {
    expectGatesPass(objects, profile);
  });
});

describe('ObjectStore without tls: plain http, nothing TLS rendered', () => {
  const { minio, objects } = platform();
  const server = container(find(objects, 'StatefulSet', 'minio'), 'minio');

  test('http endpoint and drives, HTTP probes, no certs dir, no certificate, no CA in clients', () => {
    expect(minio.endpoint).toBe('http://minio.ml-storage.svc.cluster.local:9000');
    expect(minio.tls).toBeUndefined();
    expect(server.args).toEqual(['server', '--address', ':9000', '--console-address', ':9001', 'http://minio-{0...3}.minio-headless.ml-storage.svc.cluster.local/data']);
    expect(server.readinessProbe.httpGet).toEqual({ path: '/minio/health/ready', port: 'api' });
    expect(server.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, expect.objectContaining({ mountPath: '/tmp' })]);
    expect(all(objects, 'Certificate').filter((c) => c.metadata.name.startsWith('minio'))).toEqual([]);
    expect(env(container(mlflowServer(objects), 'mlflow'), 'AWS_CA_BUNDLE')).toBeUndefined();
    expect(container(findJob(objects, 'minio-buckets'), 'create-buckets').volumeMounts ?? [])
      .not.toContainEqual(expect.objectContaining({ mountPath: '/tmp/.mc/certs/CAs' }));
    expect(container(find(objects, 'CronJob', 'postgres-logical-backup'), 'upload').volumeMounts.map((m: any) => m.mountPath))
      .not.toContain('/tmp/.mc/certs/CAs');
  });
});
