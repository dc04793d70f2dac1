import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Credentials, ObjectStore, Profile, StorageClassPack } from '../../lib';
import { MINIO_CLIENT_IMAGE } from '../../lib/databases';
import { MINIO_IMAGE } from '../../lib/ml';
import { Manifest, all, find, newChart, selects, synth, findJob } from '../support/synth';
import { describeEachShell } from '../support/shells';
import { expectGatesPass } from '../support/gates';

const NS = 'ml-tracking';

function build(profile: Profile = Profile.kind(), props: Partial<ConstructorParameters<typeof ObjectStore>[2]> = {}) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage', { profile });
  const store = new ObjectStore(chart, 'minio', {
    namespace: NS,
    storage: { tier: pack.standard, size: '100Gi' },
    buckets: ['ml-artifacts'],
    credentials: Credentials.existingSecret('minio-root'),
    ...props,
  });
  return { chart, pack, store };
}

function podSpecOf(o: Manifest): any {
  return o.spec.template.spec;
}

describe('ObjectStore (MinIO)', () => {
  test('standalone: one pod serving /data from its own claim, console, credentials by reference', () => {
    const { chart, store } = build();
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'minio');
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.serviceName).toBe('minio-headless');
    const minio = podSpecOf(sts).containers[0];
    expect(minio.image).toBe(MINIO_IMAGE);
    expect(minio.args).toEqual(['server', '--address', ':9000', '--console-address', ':9001', '/data']);
    expect(minio.env.slice(0, 2)).toEqual([
      { name: 'MINIO_ROOT_USER', valueFrom: { secretKeyRef: { name: 'minio-root', key: 'username' } } },
      { name: 'MINIO_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'minio-root', key: 'password' } } },
    ]);
    expect(minio.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['api', 9000], ['console', 9001]]);
    expect(minio.readinessProbe.httpGet).toEqual({ path: '/minio/health/ready', port: 'api' });
    expect(minio.livenessProbe.httpGet).toEqual({ path: '/minio/health/live', port: 'api' });
    expect(minio.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } } },
    });
    expect(all(objects, 'Secret')).toEqual([]);

    const client = find(objects, 'Service', 'minio');
    expect(selects(client.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    expect(client.spec.ports.map((p: any) => p.port)).toEqual([9000, 9001]);
    expect(store.endpoint).toBe('http://minio.ml-tracking.svc.cluster.local:9000');
    expect(find(objects, 'PodDisruptionBudget', 'minio').spec.maxUnavailable).toBe(1);
  });

  test('distributed: one pool over the pods\' stable DNS names, which the headless Service governs', () => {
    const { chart, store } = build(Profile.gke(), { replicas: 4 });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'minio');
    const args: string[] = podSpecOf(sts).containers[0].args;
    const pool = args[args.length - 1];
    expect(pool).toBe('http://minio-{0...3}.minio-headless.ml-tracking.svc.cluster.local/data');
    // Expand MinIO's ellipsis as the server does and compare with the workload's own DNS names.
    const [, prefix, from, to, suffix] = /^http:\/\/(.*)\{(\d+)\.\.\.(\d+)\}(.*)\/data$/.exec(pool)!;
    const expanded = Array.from({ length: Number(to) - Number(from) + 1 }, (_, i) => `${prefix}${Number(from) + i}${suffix}`);
    expect(expanded).toEqual(store.workload.podHosts);
    const headless = find(objects, 'Service', 'minio-headless');
    expect(sts.spec.serviceName).toBe(headless.metadata.name);
    expect(headless.metadata.namespace).toBe(NS);
    expect(headless.spec.clusterIP).toBe('None');
    // Members must resolve each other and start together before the pool has quorum.
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.replicas).toBe(4);
  });

  test.each([2, 3])('%i replicas is neither standalone nor a distributed pool', (replicas) => {
    expect(() => build(Profile.kind(), { replicas })).toThrow(
      `ObjectStore 'test/minio': replicas ${replicas} is not a MinIO topology: use 1 (standalone) or 4 or more ` +
      '(a distributed pool erasure-codes objects across at least four drives).');
  });

  test('the bucket Job is named after its pod template: other buckets make a new Job (a Job template is immutable)', () => {
    const name = (buckets: string[]) => findJob(synth(build(Profile.kind(), { buckets }).chart), 'minio-buckets').metadata.name;
    expect(name(['ml-artifacts'])).toBe(name(['ml-artifacts']));
    expect(name(['ml-artifacts', 'ml-db-backups'])).not.toBe(name(['ml-artifacts']));
    expect(findJob(synth(build(Profile.kind(), { buckets: ['a-b-c'] }).chart), 'minio-buckets').spec.ttlSecondsAfterFinished).toBe(86400);
  });

  test('bucket Job: the tested script, pinned mc, idempotent Argo CD Sync hook, admitted by the NetworkPolicy', () => {
    const { chart, store } = build(Profile.kind(), { buckets: ['ml-artifacts', 'checkpoints'] });
    const objects = synth(chart);
    const job = findJob(objects, 'minio-buckets');
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    });
    const pod = podSpecOf(job);
    expect(pod.restartPolicy).toBe('OnFailure');
    const c = pod.containers[0];
    expect(c.image).toBe(MINIO_CLIENT_IMAGE);
    expect(c.command).toEqual(['/bin/sh', '-c', fs.readFileSync(path.join(__dirname, '../../lib/ml/scripts/minio-create-buckets.sh'), 'utf8'),
      'minio-create-buckets', 'ml-artifacts', 'checkpoints']);
    expect(c.env).toContainEqual({ name: 'MINIO_ENDPOINT', value: store.endpoint });
    expect(c.env).toContainEqual({ name: 'MINIO_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'minio-root', key: 'password' } } });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.volumeMounts).toEqual([{ name: 'w-tmp', mountPath: '/tmp' }]);

    const policy = find(objects, 'NetworkPolicy', 'minio');
    const sts = find(objects, 'StatefulSet', 'minio');
    expect(selects(policy.spec.podSelector.matchLabels, sts.spec.template.metadata.labels)).toBe(true);
    const admitsJob = policy.spec.ingress.some((rule: any) => rule.from.some((f: any) =>
      f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === NS && selects(f.podSelector.matchLabels, job.spec.template.metadata.labels))
      && rule.ports.some((p: any) => p.port === 9000));
    expect(admitsJob).toBe(true);
    expect(store.hasBucket('checkpoints')).toBe(true);
  });

  test('allowFrom admits a peer on the S3 port only', () => {
    const { chart, store } = build();
    store.allowFrom({ namespace: 'ml-training', podSelector: { 'app.kubernetes.io/name': 'pytorch' } });
    const policy = find(synth(chart), 'NetworkPolicy', 'minio');
    const rule = policy.spec.ingress.find((r: any) => r.from[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'ml-training');
    expect(rule).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-training' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'pytorch' } } }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    });
  });

  test('no buckets: no Job; no console: no console port', () => {
    const { chart } = build(Profile.kind(), { buckets: [], console: false });
    const objects = synth(chart);
    expect(all(objects, 'Job')).toEqual([]);
    const minio = podSpecOf(find(objects, 'StatefulSet', 'minio')).containers[0];
    expect(minio.args).toEqual(['server', '--address', ':9000', '/data']);
    expect(find(objects, 'Service', 'minio').spec.ports.map((p: any) => p.port)).toEqual([9000]);
  });

  test('bad bucket names are refused with the rule', () => {
    expect(() => build(Profile.kind(), { buckets: ['ML_Artifacts', 'ok-bucket'] })).toThrow(
      "ObjectStore 'test/minio': invalid bucket name(s) 'ML_Artifacts': use 3–63 lower-case letters, digits, '.' and '-', " +
      "starting and ending with a letter or digit (e.g. 'ml-artifacts').");
    expect(() => build(Profile.kind(), { buckets: ['ml-x', 'ml-x'] })).toThrow("ObjectStore 'test/minio': bucket 'ml-x' is listed twice: list each bucket once.");
  });

  test('external credentials are bound in the store\'s namespace as an ExternalSecret', () => {
    const { chart } = build(Profile.eks(), {
      credentials: Credentials.externalSecret({ secretName: 'minio-root', store: 'vault', remoteKey: 'ml/minio' }),
    });
    expect(find(synth(chart), 'ExternalSecret', 'minio-root').metadata.namespace).toBe(NS);
  });

  test('internal load balancer from the profile', () => {
    const { chart } = build(Profile.aks(), { internalLoadBalancer: true });
    const svc = find(synth(chart), 'Service', 'minio');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' });
  });

  test.each([
    ['kind', Profile.kind(), 1], ['gke', Profile.gke(), 4], ['eks', Profile.eks(), 4], ['aks', Profile.aks(), 1],
  ])('%s: the gates pass', (_name, profile, replicas) => {
    const { chart } = build(profile, { replicas });
    expectGatesPass(synth(chart), profile);
  });
});

const SCRIPT = path.join(__dirname, '../../lib/ml/scripts/minio-create-buckets.sh');

/**
 * A stand-in `mc` that logs its arguments and the alias it finds in its environment, and fails `ls`
 * until it has been called `MC_LS_FAILURES` times.
 */
const STAND_IN_MC = `#!/bin/sh
echo "$*" >> "$MC_LOG"
printf '%s\\n' "\${MC_HOST_store-unset}" >> "$MC_LOG.host"
if [ "$1" = ls ]; then
  n=$(cat "$MC_COUNT" 2>/dev/null || echo 0)
  echo $((n + 1)) > "$MC_COUNT"
  [ "$n" -ge "\${MC_LS_FAILURES:-0}" ] || exit 1
fi
exit 0
`;

describeEachShell('minio-create-buckets.sh under %s', (shell) => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minio-buckets-'));
    fs.writeFileSync(path.join(dir, 'mc'), STAND_IN_MC, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(env: Record<string, string>, buckets: readonly string[]) {
    const result = spawnSync(shell[0], [...shell.slice(1), SCRIPT, ...buckets], {
      env: {
        PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        MC_LOG: path.join(dir, 'log'), MC_COUNT: path.join(dir, 'count'), MINIO_WAIT_SECONDS: '0',
        MINIO_ENDPOINT: 'http://minio.ml-tracking.svc.cluster.local:9000', MINIO_ROOT_USER: 'root', MINIO_ROOT_PASSWORD: 's3cr3t',
        ...env,
      },
      encoding: 'utf8',
    });
    const read = (file: string) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), 'utf8').trim().split('\n') : []);
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, log: read('log'), hosts: read('log.host') };
  }

  test('waits for MinIO, then creates each bucket with --ignore-existing; the keys travel in MC_HOST_store, never in argv', () => {
    const out = run({ MC_LS_FAILURES: '2' }, ['ml-artifacts', 'checkpoints']);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.log).toEqual([
      'ls store', 'ls store', 'ls store',
      'mb --ignore-existing store/ml-artifacts',
      'mb --ignore-existing store/checkpoints',
    ]);
    expect(new Set(out.hosts)).toEqual(new Set(['http://root:s3cr3t@minio.ml-tracking.svc.cluster.local:9000']));
    expect(out.log.join('\n')).not.toContain('s3cr3t');
    expect(out.stdout).toContain('waiting for MinIO at http://minio.ml-tracking.svc.cluster.local:9000 (2/60)');
    expect(out.stdout).toContain('bucket checkpoints ready');
  });

  test('running twice is harmless: the same idempotent calls', () => {
    expect(run({}, ['ml-artifacts']).status).toBe(0);
    const again = run({}, ['ml-artifacts']);
    expect(again.status).toBe(0);
    expect(again.log.filter((l) => l.startsWith('mb'))).toEqual(['mb --ignore-existing store/ml-artifacts', 'mb --ignore-existing store/ml-artifacts']);
  });

  test('gives up after MINIO_WAIT_ATTEMPTS without creating anything', () => {
    const out = run({ MC_LS_FAILURES: '100', MINIO_WAIT_ATTEMPTS: '3' }, ['ml-artifacts']);
    expect(out.status).toBe(1);
    expect(out.stderr).toBe('MinIO at http://minio.ml-tracking.svc.cluster.local:9000 did not answer after 3 attempts\n');
    expect(out.log.some((l) => l.startsWith('mb'))).toBe(false);
  });

  test('keys go into MC_HOST_store verbatim: mc does not percent-decode them', () => {
    const out = run({ MINIO_ENDPOINT: 'https://s3.internal:443', MINIO_ROOT_USER: 'admin', MINIO_ROOT_PASSWORD: 'p@ss/w%rd#1?' }, ['ml-artifacts']);
    expect(out.status).toBe(0);
    expect(out.hosts[0]).toBe('https://admin:p@ss/w%rd#1?@s3.internal:443');
  });

  test("a ':' in the keys (mc would read a session token) or an endpoint without scheme fails before calling mc", () => {
    for (const env of [{ MINIO_ROOT_PASSWORD: 'a:b' }, { MINIO_ROOT_USER: 'ro:ot' }] as Array<Record<string, string>>) {
      const out = run(env, ['ml-artifacts']);
      expect(out.status).toBe(65);
      expect(out.stderr).toBe("MINIO_ROOT_USER and MINIO_ROOT_PASSWORD must not contain ':' or a line break " +
        '(mc reads its keys from MC_HOST_store=scheme://user:password@host): choose other credentials\n');
      expect(out.log).toEqual([]);
    }
    const noScheme = run({ MINIO_ENDPOINT: 'minio:9000' }, ['ml-artifacts']);
    expect(noScheme.status).toBe(64);
    expect(noScheme.stderr).toBe("MINIO_ENDPOINT 'minio:9000' is not an http:// or https:// URL\n");
    expect(noScheme.log).toEqual([]);
  });

  test('missing credentials and missing buckets are usage errors', () => {
    const noPassword = run({ MINIO_ROOT_PASSWORD: '' }, ['ml-artifacts']);
    expect(noPassword.status).not.toBe(0);
    expect(noPassword.stderr).toContain('MINIO_ROOT_PASSWORD');
    expect(noPassword.log).toEqual([]);
    const none = run({}, []);
    expect(none.status).toBe(64);
    expect(none.log).toEqual([]);
  });
});
