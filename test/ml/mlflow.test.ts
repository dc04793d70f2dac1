import { App } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import {
  ArtifactStore, CloudIdentity, ClusterConfig, Credentials, DatabaseEngine, ExternalDatabase, IDatabase, MlflowCache, MlflowCluster,
  MlflowClusterProps, MlflowImage, ObjectStore, Profile, StatefulDatabase, StorageClassPack, renderProfile,
} from '../../lib';
import { NAMESPACES, buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { Manifest, all, find, newChart, selects, synth, findJob } from '../support/synth';
import { expectGatesPass } from '../support/gates';

const NS = 'ml-tracking';
const SCHEMA_SCRIPT = fs.readFileSync(path.join(__dirname, '../../lib/ml/scripts/mlflow-schema.sh'), 'utf8');

function setup(profile: Profile = Profile.kind()) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage', { profile });
  const db = new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', replicas: 3,
    storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('postgres-credentials'),
  });
  const minio = new ObjectStore(chart, 'minio', {
    namespace: NS, storage: { tier: pack.standard, size: '100Gi' }, buckets: ['ml-artifacts'],
    credentials: Credentials.existingSecret('minio-root'),
  });
  const mlflow = (props: Partial<MlflowClusterProps> = {}, backend: IDatabase = db) => new MlflowCluster(chart, 'mlflow', {
    namespace: NS,
    backend,
    artifacts: ArtifactStore.objectStore(minio, 'ml-artifacts'),
    cache: MlflowCache.emptyDir('10Gi'),
    replicas: 3,
    autoscaling: { minReplicas: 3, maxReplicas: 10, cpuPercent: 70 },
    ...props,
  });
  return { chart, pack, db, minio, mlflow };
}

const pod = (o: Manifest): any => o.spec.template.spec;
const container = (o: Manifest, name: string): any => [...(pod(o).initContainers ?? []), ...pod(o).containers].find((c: any) => c.name === name);
const envValue = (c: any, name: string): string | undefined => c.env.find((e: any) => e.name === name)?.value;
const admits = (policy: Manifest, namespace: string, labels: Record<string, string>, port: number): boolean =>
  policy.spec.ingress.some((rule: any) => rule.from.some((f: any) =>
    f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === namespace && selects(f.podSelector.matchLabels, labels))
    && rule.ports.some((p: any) => p.port === port));

describe('MlflowCluster on a StatefulDatabase and MinIO', () => {
  test('the backend URI names the database\'s read-write Service, its port, and MLflow\'s own database and user', () => {
    const { chart, db, mlflow } = setup();
    const tracking = mlflow();
    const objects = synth(chart);
    const server = container(find(objects, 'Deployment', 'mlflow'), 'mlflow');
    const uri = new URL(envValue(server, 'MLFLOW_BACKEND_STORE_URI')!.replace('$(DB_PASSWORD)', 'password'));
    expect(uri.protocol).toBe('postgresql:');
    expect(uri.hostname).toBe(db.readWriteService.host);
    expect(uri.hostname).toBe('postgres-rw.ml-db.svc.cluster.local');
    // The host resolves to the read-write Service the database declares, which serves its port.
    const rw = find(objects, 'Service', 'postgres-rw');
    expect(`${rw.metadata.name}.${rw.metadata.namespace}.svc.cluster.local`).toBe(uri.hostname);
    expect(Number(uri.port)).toBe(db.port);
    expect(rw.spec.ports.map((p: any) => p.port)).toContain(Number(uri.port));
    expect(uri.pathname).toBe('/mlflow');
    expect(uri.username).toBe('mlflow');
    expect(db.databases.map((g) => [g.database, g.user])).toEqual([['mlflow', 'mlflow']]);
    expect(tracking.grant.database).toBe('mlflow');

    // The password is interpolated from the grant's Secret, declared before the URI that uses it.
    const names = server.env.map((e: any) => e.name);
    expect(names.indexOf('DB_PASSWORD')).toBeLessThan(names.indexOf('MLFLOW_BACKEND_STORE_URI'));
    expect(server.env[names.indexOf('DB_PASSWORD')].valueFrom.secretKeyRef).toEqual({
      name: tracking.grant.credentials.secretName, key: tracking.grant.credentials.passwordKey,
    });
    expect(tracking.grant.credentials.namespaces).toEqual(['ml-db', NS]);
    // The URI (with the expanded password) and the destination reach `mlflow server` through the
    // environment its options read: args are expanded into /proc/<pid>/cmdline.
    expect(server.args).toEqual(['server', '--host', '0.0.0.0', '--port', '5000', '--workers', '2', '--serve-artifacts']);
    expect(JSON.stringify(server.args)).not.toContain('$(');
    expect(envValue(server, 'MLFLOW_ARTIFACTS_DESTINATION')).toBe('s3://ml-artifacts');
    expect(all(objects, 'Secret')).toEqual([]);
  });

  test('the migration runs before the servers serve: Argo CD waves, and an init container for kubectl apply', () => {
    const { chart, mlflow } = setup();
    const tracking = mlflow();
    const objects = synth(chart);
    const job = findJob(objects, 'mlflow-db-migrate');
    const sts = find(objects, 'Deployment', 'mlflow');
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'mlflow');
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'argocd.argoproj.io/sync-wave': '30',
    });
    const wave = (o: Manifest) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave(job)).toBeLessThan(wave(sts));
    expect(wave(hpa)).toBe(wave(sts));

    const migrate = container(job, 'migrate');
    expect(migrate.command).toEqual(['/bin/sh', '-c', SCHEMA_SCRIPT, 'mlflow-schema', 'migrate']);
    expect(pod(job).restartPolicy).toBe('OnFailure');
    // Every server waits for the schema the Job writes, with the same image and connection.
    const wait = container(sts, 'wait-for-schema');
    expect(pod(sts).initContainers.map((c: any) => c.name)).toEqual(['wait-for-schema']);
    expect(wait.command).toEqual(['/bin/sh', '-c', SCHEMA_SCRIPT, 'mlflow-schema', 'wait']);
    expect(wait.image).toBe(migrate.image);
    expect(wait.image).toBe(container(sts, 'mlflow').image);
    expect(envValue(wait, 'MLFLOW_BACKEND_STORE_URI')).toBe(envValue(migrate, 'MLFLOW_BACKEND_STORE_URI'));
    expect(envValue(wait, 'MLFLOW_BACKEND_STORE_URI')).toBe(tracking.backendStoreUri);
  });

  test('the autoscaler targets the server Deployment, which leaves its replica count to it', () => {
    const { chart, mlflow } = setup();
    mlflow();
    const objects = synth(chart);
    const sts = find(objects, 'Deployment', 'mlflow');
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'mlflow');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: sts.apiVersion, kind: sts.kind, name: sts.metadata.name });
    expect(hpa.metadata.namespace).toBe(sts.metadata.namespace);
    expect(hpa.spec).toMatchObject({
      minReplicas: 3, maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
    });
    expect(sts.spec.replicas).toBeUndefined();
    expect(container(sts, 'mlflow').resources.requests.cpu).toBeDefined();
  });

  test('without autoscaling the Deployment keeps its replicas and there is no autoscaler', () => {
    const { chart, mlflow } = setup();
    mlflow({ autoscaling: undefined, replicas: 2 });
    const objects = synth(chart);
    expect(find(objects, 'Deployment', 'mlflow').spec.replicas).toBe(2);
    expect(all(objects, 'HorizontalPodAutoscaler')).toEqual([]);
  });

  test('a client Service and PDB select the servers; the cache is an emptyDir with a size limit; /health probes', () => {
    const { chart, mlflow } = setup();
    const tracking = mlflow();
    const objects = synth(chart);
    const sts = find(objects, 'Deployment', 'mlflow');
    const labels = sts.spec.template.metadata.labels;
    const client = find(objects, 'Service', 'mlflow');
    expect(objects.find((o) => o.kind === 'Service' && o.metadata.name === 'mlflow-headless')).toBeUndefined();
    expect(selects(client.spec.selector, labels)).toBe(true);
    expect(selects(sts.spec.selector.matchLabels, labels)).toBe(true);
    expect(client.spec.type).toBe('ClusterIP');
    expect(client.spec.ports).toEqual([{ name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' }]);
    expect(tracking.trackingUri).toBe('http://mlflow.ml-tracking.svc.cluster.local:5000');
    expect(selects(find(objects, 'PodDisruptionBudget', 'mlflow').spec.selector.matchLabels, labels)).toBe(true);
    expect(sts.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(pod(sts).volumes).toContainEqual({ name: 'cache', emptyDir: { sizeLimit: '10Gi' } });
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    const server = container(sts, 'mlflow');
    expect(server.volumeMounts).toContainEqual({ name: 'cache', mountPath: '/var/cache/mlflow' });
    expect(envValue(server, 'TMPDIR')).toBe('/var/cache/mlflow');
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(server[probe].httpGet).toEqual({ path: '/health', port: 'http' });
    }
    expect(server.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(server.volumeMounts).toContainEqual({ name: 'w-tmp', mountPath: '/tmp' });
    expect(pod(sts).volumes).toContainEqual({ name: 'w-tmp', emptyDir: {} });
    expect(pod(sts).serviceAccountName).toBe('mlflow');
    // The default image bundles the drivers and SDKs and runs as its own non-root user.
    expect(server.image).toBe('ghcr.io/burakince/mlflow:2.22.1');
    expect(pod(sts).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 });
  });

  test('MinIO artifacts: endpoint and credentials wired, and MinIO admits the servers', () => {
    const { chart, minio, mlflow } = setup();
    mlflow();
    const objects = synth(chart);
    const sts = find(objects, 'Deployment', 'mlflow');
    const server = container(sts, 'mlflow');
    expect(envValue(server, 'MLFLOW_S3_ENDPOINT_URL')).toBe(minio.endpoint);
    expect(minio.endpoint).toBe(`http://${find(objects, 'Service', 'minio').metadata.name}.${NS}.svc.cluster.local:9000`);
    expect(server.env).toContainEqual({ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'minio-mlflow', key: 'username' } } });
    expect(server.env).toContainEqual({ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'minio-mlflow', key: 'password' } } });
    expect(admits(find(objects, 'NetworkPolicy', 'minio'), NS, sts.spec.template.metadata.labels, 9000)).toBe(true);
  });

  test('NetworkPolicies: the database admits the servers and the migration Job; allowFrom admits trainers to 5000', () => {
    const { chart, db, mlflow } = setup();
    const tracking = mlflow();
    const trainer = { namespace: 'ml-training', podSelector: { 'app.kubernetes.io/name': 'pytorch' } };
    tracking.allowFrom({ asPeer: () => trainer });
    const objects = synth(chart);
    const dbPolicy = find(objects, 'NetworkPolicy', 'postgres');
    expect(admits(dbPolicy, NS, find(objects, 'Deployment', 'mlflow').spec.template.metadata.labels, db.port)).toBe(true);
    expect(admits(dbPolicy, NS, findJob(objects, 'mlflow-db-migrate').spec.template.metadata.labels, db.port)).toBe(true);
    const policy = find(objects, 'NetworkPolicy', 'mlflow');
    expect(admits(policy, 'ml-training', { 'app.kubernetes.io/name': 'pytorch' }, 5000)).toBe(true);
    expect(policy.spec.ingress.filter((r: any) => r.ports).flatMap((r: any) => r.ports.map((p: any) => p.port))).toEqual([5000]);
    // The migration Job's pods are not servers: no Service or PDB counts them.
    const jobLabels = findJob(objects, 'mlflow-db-migrate').spec.template.metadata.labels;
    expect(selects(find(objects, 'Service', 'mlflow').spec.selector, jobLabels)).toBe(false);
  });

  test('internal load balancer per profile', () => {
    const { chart, mlflow } = setup(Profile.gke());
    mlflow({ internalLoadBalancer: true });
    const svc = find(synth(chart), 'Service', 'mlflow');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.metadata.annotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal' });
  });

  test.each([
    ['kind', Profile.kind()], ['gke', Profile.gke()], ['eks', Profile.eks()], ['aks', Profile.aks()],
  ])('%s: the gates pass', (_name, profile) => {
    const { chart, mlflow } = setup(profile);
    mlflow();
    expectGatesPass(synth(chart), profile);
  });
});

describe('MlflowCluster bad input', () => {
  test('autoscaling min > max', () => {
    const { chart, mlflow } = setup();
    mlflow({ replicas: undefined, autoscaling: { minReplicas: 5, maxReplicas: 3 } });
    expect(() => synth(chart)).toThrow(
      '[test/mlflow] autoscaling minReplicas 5 is greater than maxReplicas 3: raise maxReplicas or lower minReplicas');
  });

  test('replicas outside the autoscaling range', () => {
    const { chart, mlflow } = setup();
    mlflow({ replicas: 12 });
    expect(() => synth(chart)).toThrow(
      '[test/mlflow] replicas 12 is outside autoscaling 3..10: leave replicas unset or pick a value in that range');
  });

  test('several servers sharing a ReadWriteOnce claim', () => {
    const { chart, pack, mlflow } = setup();
    mlflow({ cache: MlflowCache.sharedClaim('mlflow-cache', pack.standard), autoscaling: undefined });
    expect(() => synth(chart)).toThrow(
      "[test/mlflow] 3 replicas cannot share the ReadWriteOnce claim 'mlflow-cache' (tier 'standard'): " +
      'use MlflowCache.emptyDir(sizeLimit) (per pod, on the node) or a ReadWriteMany tier (pack.shared)');
  });

  test('the autoscaler\'s maximum counts too; a ReadWriteMany shared claim is fine', () => {
    const a = setup();
    a.mlflow({ replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 4 }, cache: MlflowCache.sharedClaim('mlflow-cache', a.pack.standard) });
    expect(() => synth(a.chart)).toThrow("[test/mlflow] 4 replicas cannot share the ReadWriteOnce claim 'mlflow-cache'");
    const b = setup(Profile.gke({ cluster: ClusterConfig.of({ name: 'ml-gke', network: 'ml-vpc' }) }));
    b.mlflow({ cache: MlflowCache.sharedClaim('mlflow-cache', b.pack.shared) });
    const sts = find(synth(b.chart), 'Deployment', 'mlflow');
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    expect(pod(sts).volumes).toContainEqual({ name: 'cache', persistentVolumeClaim: { claimName: 'mlflow-cache' } });
  });

  test('an ephemeral cache from a Retain class would leave a volume per removed server', () => {
    const { chart, pack, mlflow } = setup(Profile.gke());
    mlflow({ cache: MlflowCache.ephemeral(pack.standard, '10Gi') });
    expect(() => synth(chart)).toThrow(
      "[test/mlflow] MlflowCache.ephemeral on tier 'standard' of StorageClassPack 'test/storage' (reclaimPolicy Retain) would leave a Released volume " +
      "behind for every server the autoscaler removes: use a pack with reclaimPolicy 'Delete' for scratch, or MlflowCache.emptyDir(sizeLimit)");
  });

  test('gs:// on EKS without credentials', () => {
    const { chart, mlflow } = setup(Profile.eks());
    mlflow({ artifacts: ArtifactStore.gcs('gs://ml-artifacts/mlflow') });
    expect(() => synth(chart)).toThrow(
      "[test/mlflow] artifact store 'gs://ml-artifacts/mlflow' has no credentials declared for profile 'eks' (eks): " +
      'pass { credentials: Credentials.existingSecret(...) }');
  });

  test('a workload identity of another cloud', () => {
    const { chart, mlflow } = setup(Profile.eks());
    mlflow({ artifacts: ArtifactStore.gcs('gs://ml-artifacts', { identity: CloudIdentity.gkeWorkloadIdentity('mlflow@proj-1.iam.gserviceaccount.com') }) });
    expect(() => synth(chart)).toThrow(
      "[test/mlflow] artifact store 'gs://ml-artifacts': CloudIdentity.gkeWorkloadIdentity does not work here " +
      "(gs:// with a workload identity needs CloudIdentity.gkeWorkloadIdentity(googleServiceAccount) on a gke profile; profile 'eks' is eks): " +
      'pass { credentials: Credentials.existingSecret(...) } instead');
  });

  test('s3:// on its own cloud without anything declared suggests the identity', () => {
    const { chart, mlflow } = setup(Profile.eks());
    mlflow({ artifacts: ArtifactStore.s3('s3://ml-artifacts/mlflow') });
    expect(() => synth(chart)).toThrow(
      "[test/mlflow] artifact store 's3://ml-artifacts/mlflow' has no credentials declared for profile 'eks' (eks): " +
      'pass { identity: CloudIdentity.awsIrsa(roleArn) or CloudIdentity.awsPodIdentity() } or { credentials }');
  });

  test('the official image lacks the PostgreSQL driver and boto3', () => {
    const { chart, mlflow } = setup();
    mlflow({ image: MlflowImage.official('2.22.1') });
    expect(() => synth(chart)).toThrow(
      "[test/mlflow] image 'ghcr.io/mlflow/mlflow:v2.22.1' lacks psycopg2 (postgres backend) and boto3 (s3:// artifacts), " +
      "and the server installs nothing at start: build an image FROM it with 'RUN pip install --no-cache-dir psycopg2-binary boto3' " +
      "(pinned versions) and pass MlflowImage.custom(image, { packages: ['psycopg2', 'boto3'] }), or use MlflowImage.community()");
  });

  test('a custom image declaring its packages is accepted and runs as its uid', () => {
    const { chart, mlflow } = setup();
    mlflow({ image: MlflowImage.custom('registry.example.com/mlflow:2.22.1-pg', { packages: ['psycopg2', 'boto3'], runAs: { uid: 10001, gid: 10001 } }) });
    const sts = find(synth(chart), 'Deployment', 'mlflow');
    expect(container(sts, 'mlflow').image).toBe('registry.example.com/mlflow:2.22.1-pg');
    expect(pod(sts).securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
  });

  test('a bucket the object store does not create', () => {
    const { chart, minio, mlflow } = setup();
    mlflow({ artifacts: ArtifactStore.objectStore(minio, 'models') });
    expect(() => synth(chart)).toThrow(
      "[test/mlflow] bucket 'models' is not created by ObjectStore 'test/minio' (its buckets: ml-artifacts): add it to the store's buckets");
  });

  test('malformed artifact URIs are refused at once', () => {
    expect(() => ArtifactStore.s3('https://bucket')).toThrow("Invalid s3:// artifact store URI 'https://bucket': expected e.g. 's3://ml-artifacts/mlflow'.");
    expect(() => ArtifactStore.azureBlob('wasbs://ml-artifacts/mlflow')).toThrow(
      "Invalid wasbs:// artifact store URI 'wasbs://ml-artifacts/mlflow': expected e.g. 'wasbs://ml-artifacts@mlplatform.blob.core.windows.net/mlflow'.");
    expect(() => CloudIdentity.awsIrsa('mlflow-role')).toThrow(
      "CloudIdentity.awsIrsa: 'mlflow-role' is not an IAM role ARN (arn:aws:iam::123456789012:role/mlflow-artifacts).");
  });
});

describe('cloud artifact stores', () => {
  test('EKS: s3:// through IRSA annotates the servers\' service account, no keys', () => {
    const { chart, mlflow } = setup(Profile.eks());
    mlflow({ artifacts: ArtifactStore.s3('s3://acme-ml-artifacts/mlflow', { identity: CloudIdentity.awsIrsa('arn:aws:iam::123456789012:role/mlflow') }) });
    const objects = synth(chart);
    const sa = find(objects, 'ServiceAccount', 'mlflow');
    expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/mlflow' });
    const sts = find(objects, 'Deployment', 'mlflow');
    expect(pod(sts).serviceAccountName).toBe(sa.metadata.name);
    expect(pod(findJob(objects, 'mlflow-db-migrate')).serviceAccountName).toBe(sa.metadata.name);
    const server = container(sts, 'mlflow');
    expect(envValue(server, 'MLFLOW_ARTIFACTS_DESTINATION')).toBe('s3://acme-ml-artifacts/mlflow');
    expect(server.env.map((e: any) => e.name)).not.toContain('AWS_ACCESS_KEY_ID');
    expect(server.env.map((e: any) => e.name)).not.toContain('MLFLOW_S3_ENDPOINT_URL');
  });

  test('GKE: gs:// through Workload Identity', () => {
    const { chart, mlflow } = setup(Profile.gke());
    mlflow({ artifacts: ArtifactStore.gcs('gs://acme-ml-artifacts', { identity: CloudIdentity.gkeWorkloadIdentity('mlflow@acme-ml.iam.gserviceaccount.com') }) });
    expect(find(synth(chart), 'ServiceAccount', 'mlflow').metadata.annotations).toEqual({
      'iam.gke.io/gcp-service-account': 'mlflow@acme-ml.iam.gserviceaccount.com',
    });
  });

  test('AKS: wasbs:// through Workload ID labels the pods and annotates the account', () => {
    const { chart, mlflow } = setup(Profile.aks());
    mlflow({
      artifacts: ArtifactStore.azureBlob('wasbs://artifacts@acmeml.blob.core.windows.net/mlflow', {
        identity: CloudIdentity.azureWorkloadIdentity('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'),
      }),
    });
    const objects = synth(chart);
    expect(find(objects, 'ServiceAccount', 'mlflow').metadata.annotations).toEqual({ 'azure.workload.identity/client-id': '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' });
    expect(find(objects, 'Deployment', 'mlflow').spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
  });

  test('gs:// on EKS with a key by reference: mounted file, GOOGLE_APPLICATION_CREDENTIALS, gates pass', () => {
    const profile = Profile.eks();
    const { chart, mlflow } = setup(profile);
    mlflow({ artifacts: ArtifactStore.gcs('gs://acme-ml-artifacts', { credentials: Credentials.existingSecret('gcs-key', { password: 'key.json' }) }) });
    const objects = synth(chart);
    const sts = find(objects, 'Deployment', 'mlflow');
    const server = container(sts, 'mlflow');
    expect(envValue(server, 'GOOGLE_APPLICATION_CREDENTIALS')).toBe('/var/run/secrets/gcs/key.json');
    expect(server.volumeMounts).toContainEqual({ name: 'gcs-key', mountPath: '/var/run/secrets/gcs', readOnly: true });
    expect(pod(sts).volumes).toContainEqual({ name: 'gcs-key', secret: { secretName: 'gcs-key', defaultMode: 0o440 } });
    expectGatesPass(objects, profile);
  });
});

describe('ExternalDatabase', () => {
  test('MLflow on a database outside the cluster: URL to its own endpoint, ExternalName Service, no NetworkPolicy', () => {
    const profile = Profile.eks();
    const { chart, mlflow } = setup(profile);
    const rds = ExternalDatabase.fromSecret(chart, 'rds', {
      family: 'postgres', host: 'mlflow.abc123.eu-west-1.rds.amazonaws.com', namespace: NS, name: 'mlflow-db',
      credentials: Credentials.existingSecret('mlflow-db-login'), urlParameters: { sslmode: 'require' },
    });
    const tracking = mlflow({}, rds);
    const objects = synth(chart);
    expect(tracking.backendStoreUri).toBe('postgresql://mlflow:$(DB_PASSWORD)@mlflow.abc123.eu-west-1.rds.amazonaws.com:5432/mlflow?sslmode=require');
    expect(envValue(container(find(objects, 'Deployment', 'mlflow'), 'mlflow'), 'MLFLOW_BACKEND_STORE_URI')).toBe(tracking.backendStoreUri);
    expect(container(findJob(objects, 'mlflow-db-migrate'), 'migrate').env[0].valueFrom.secretKeyRef).toEqual({ name: 'mlflow-db-login', key: 'password' });
    expect(find(objects, 'Service', 'mlflow-db').spec).toEqual({
      type: 'ExternalName', externalName: 'mlflow.abc123.eu-west-1.rds.amazonaws.com',
      ports: [{ name: 'sql', port: 5432, targetPort: 5432, protocol: 'TCP' }],
    });
    expect(rds.readWriteService.host).toBe('mlflow-db.ml-tracking.svc.cluster.local');
    expect(rds.clients.map((c) => c.podSelector['app.kubernetes.io/name'])).toEqual(['mlflow', 'mlflow-migration']);
    expect(all(objects, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual(['minio']);
    expectGatesPass(objects, profile);
  });

  test('MySQL defaults: PyMySQL dialect, port 3306; the same grant twice; bad input', () => {
    const { chart } = newChart(Profile.kind());
    const db = ExternalDatabase.fromSecret(chart, 'db', {
      family: 'mysql', host: 'db.internal.example.com', namespace: NS, name: 'mysql', credentials: Credentials.existingSecret('mysql-login'),
    });
    const grant = db.addDatabase('mlflow', { user: 'tracking' });
    expect(grant.sqlalchemyUrl('PW')).toBe('mysql+pymysql://tracking:$(PW)@db.internal.example.com:3306/mlflow');
    expect(db.addDatabase('mlflow', { user: 'tracking' })).toBe(grant);
    expect(() => db.addDatabase('mlflow')).toThrow("ExternalDatabase 'test/db': database 'mlflow' was already granted to user 'tracking', not 'mlflow'.");
    expect(() => ExternalDatabase.fromSecret(chart, 'bad', {
      family: 'postgres', host: 'not a host', namespace: NS, name: 'x', credentials: Credentials.existingSecret('x'),
    })).toThrow("ExternalDatabase 'test/bad': host 'not a host' is not a DNS name: give the server's endpoint, e.g. 'mlflow.abc123.eu-west-1.rds.amazonaws.com'.");
  });
});

describe('scaling MLflow down and up renders no per-pod claim', () => {
  // The render at each scale is what Argo CD applies: it must hold no claim template, no PersistentVolumeClaim and
  // no claim name tied to a server, so nothing is provisioned for good on scale-up or left behind on scale-down.
  function render(replicas: number, cache?: (pack: StorageClassPack) => MlflowCache) {
    const { chart, pack, mlflow } = setup(Profile.gke());
    const scratch = new StorageClassPack(chart, 'scratch', { prefix: 'scratch', reclaimPolicy: 'Delete', tiers: ['standard'] });
    void pack;
    mlflow({ replicas, autoscaling: undefined, ...(cache ? { cache: cache(scratch) } : {}) });
    return synth(chart);
  }
  const claimsOf = (objects: Manifest[]) => ({
    templates: objects.filter((o) => o.spec?.volumeClaimTemplates && o.metadata.name === 'mlflow'),
    pvcs: objects.filter((o) => o.kind === 'PersistentVolumeClaim' && /mlflow/.test(o.metadata.name)),
  });

  test.each([
    ['emptyDir with sizeLimit (default)', undefined],
    ['generic ephemeral volume from a Delete class', (scratch: StorageClassPack) => MlflowCache.ephemeral(scratch.standard, '10Gi')],
  ] as const)('%s', (_what, cache) => {
    const renders = [3, 1, 5].map((n) => render(n, cache as any));
    for (const objects of renders) expectGatesPass(objects, Profile.gke());
    for (const [i, objects] of renders.entries()) {
      expect(claimsOf(objects)).toEqual({ templates: [], pvcs: [] });
      expect(find(objects, 'Deployment', 'mlflow').spec.replicas).toBe([3, 1, 5][i]);
      expect(all(objects, 'StatefulSet').map((o) => o.metadata.name)).not.toContain('mlflow');
    }
    // Only the replica count differs between scales: the pod template (and its cache volume) is the same.
    const template = (objects: Manifest[]) => JSON.stringify(find(objects, 'Deployment', 'mlflow').spec.template);
    expect(new Set(renders.map(template)).size).toBe(1);
    const volume = pod(find(renders[0], 'Deployment', 'mlflow')).volumes.find((v: any) => v.name === 'cache');
    if (cache) {
      expect(volume.ephemeral.volumeClaimTemplate.spec).toEqual({
        accessModes: ['ReadWriteOnce'], storageClassName: 'scratch-standard-v1', resources: { requests: { storage: '10Gi' } },
      });
      expect(find(renders[0], 'StorageClass', 'scratch-standard-v1').reclaimPolicy).toBe('Delete');
    } else {
      expect(volume).toEqual({ name: 'cache', emptyDir: { sizeLimit: '10Gi' } });
    }
  });

  test('with the autoscaler the Deployment carries no replica count and the HPA scales it', () => {
    const { chart, mlflow } = setup(Profile.gke());
    mlflow();
    const objects = synth(chart);
    expect(find(objects, 'Deployment', 'mlflow').spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler', 'mlflow').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'mlflow' });
    expect(claimsOf(objects)).toEqual({ templates: [], pvcs: [] });
  });
});

describe('reference app: MLflow in ml-tracking on the ml-db PostgreSQL and MinIO', () => {
  test.each(referenceProfiles().map((p) => [p.name, p] as const))('%s', (_name, profile) => {
    const app = new App();
    const platform = buildPlatform(app, profile);
    const rendered = renderProfile(app, profile);
    expect(rendered.gates.ok).toBe(true);
    const objects = rendered.objects as Manifest[];
    const sts = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'mlflow')!;
    expect(sts.metadata.namespace).toBe(NAMESPACES.tracking);
    const uri = new URL(envValue(container(sts, 'mlflow'), 'MLFLOW_BACKEND_STORE_URI')!.replace('$(DB_PASSWORD)', 'x'));
    const rw = objects.find((o) => o.kind === 'Service' && o.metadata.name === platform.database.readWriteService.name)!;
    expect(uri.hostname).toBe(`${rw.metadata.name}.${NAMESPACES.databases}.svc.cluster.local`);
    expect(Number(uri.port)).toBe(platform.database.port);
    expect(uri.pathname).toBe('/mlflow');
    expect(envValue(container(sts, 'mlflow'), 'MLFLOW_S3_ENDPOINT_URL')).toBe(platform.objectStore.endpoint);
    expect(platform.tracking.trackingUri).toBe('http://mlflow.ml-tracking.svc.cluster.local:5000');
    const minio = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'minio')!;
    expect(minio.metadata.namespace).toBe(NAMESPACES.tracking);
    const wave = (o: Manifest) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const job = findJob(objects as any, 'mlflow-db-migrate');
    const db = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === platform.database.name)!;
    // Database, then migration, then servers.
    expect(wave(db)).toBeLessThan(wave(job));
    expect(wave(job)).toBeLessThan(wave(sts));
  });
});
