import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import {
  BucketAccess, BucketPolicyStatement, Credentials, ObjectStore, Profile, StorageClassPack, renderProfile,
} from '../../lib';
import { bucketPolicyDocument } from '../../lib/storage';
import { describeEachShell } from '../support/shells';
import { Manifest, all, findJob, newChart, synth } from '../support/synth';

type Json = any;
const NS = 'ml-tracking';

function store(buckets = ['ml-artifacts', 'ml-db-backups']) {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'storage');
  const minio = new ObjectStore(chart, 'minio', {
    namespace: NS, storage: { tier: pack.standard, size: '10Gi' }, buckets, credentials: Credentials.existingSecret('minio-root'),
  });
  return { chart, minio };
}

/** Whether an Allow-only S3 policy lets `action` on `resource` (`arn:aws:s3:::bucket/key`), IAM wildcard semantics. */
function allows(statements: readonly BucketPolicyStatement[], action: string, resource: string, listPrefix?: string): boolean {
  const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
  return statements.some((s) => s.Action.includes(action) && s.Resource.some((r) => glob(r).test(resource)) &&
    (!s.Condition || (listPrefix !== undefined && s.Condition.StringLike['s3:prefix'].some((p) => glob(p).test(listPrefix)))));
}

describe('BucketAccess: what each scoped user may do', () => {
  const backups = JSON.parse(bucketPolicyDocument([BucketAccess.backupWriter('ml-db-backups', 'postgres')])).Statement;
  const artifacts = JSON.parse(bucketPolicyDocument([BucketAccess.readWrite('ml-artifacts', 'mlflow')])).Statement;
  const datasets = JSON.parse(bucketPolicyDocument([BucketAccess.readOnly('datasets')])).Statement;
  const obj = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

  test('a backup writer uploads and prunes its prefix, reads only its staging objects, never a finished backup', () => {
    expect(allows(backups, 's3:PutObject', obj('ml-db-backups', 'postgres/20250301-020000.partial/all.sql.gz'))).toBe(true);
    expect(allows(backups, 's3:GetObject', obj('ml-db-backups', 'postgres/20250301-020000.partial/all.sql.gz'))).toBe(true);
    expect(allows(backups, 's3:DeleteObject', obj('ml-db-backups', 'postgres/20250201-020000/all.sql.gz'))).toBe(true);
    expect(allows(backups, 's3:GetObject', obj('ml-db-backups', 'postgres/20250301-020000/globals.sql'))).toBe(false);
    expect(allows(backups, 's3:ListBucket', 'arn:aws:s3:::ml-db-backups', 'postgres/')).toBe(true);
    expect(allows(backups, 's3:ListBucket', 'arn:aws:s3:::ml-db-backups', 'mysql/')).toBe(false);
    expect(allows(backups, 's3:PutObject', obj('ml-db-backups', 'mysql/x'))).toBe(false);
    expect(allows(backups, 's3:PutObject', obj('ml-artifacts', 'postgres/x'))).toBe(false);
  });

  test('an artifact user reads and writes its prefix only; a dataset reader only reads', () => {
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
      expect([action, allows(artifacts, action, obj('ml-artifacts', 'mlflow/1/abc/model.pkl'))]).toEqual([action, true]);
      expect([action, allows(artifacts, action, obj('ml-artifacts', 'other/x'))]).toEqual([action, false]);
      expect([action, allows(artifacts, action, obj('ml-db-backups', 'postgres/x'))]).toEqual([action, false]);
    }
    expect(allows(datasets, 's3:GetObject', obj('datasets', 'imagenet/train/0001.tar'))).toBe(true);
    expect(allows(datasets, 's3:PutObject', obj('datasets', 'imagenet/train/0001.tar'))).toBe(false);
    expect(allows(datasets, 's3:ListBucket', 'arn:aws:s3:::datasets', 'imagenet/')).toBe(true);
  });
});

describe('ObjectStore.grant', () => {
  test('a user Job per grant: root key only there, the user\'s keys from its own Secret, the policy in the pod template', () => {
    const { chart, minio } = store();
    const keys = minio.grant('mlflow', [BucketAccess.readWrite('ml-artifacts', 'mlflow')]);
    expect([keys.secretName, keys.usernameKey, keys.passwordKey]).toEqual(['minio-mlflow', 'username', 'password']);
    const job = findJob(synth(chart), 'minio-user-mlflow');
    const env = job.spec.template.spec.containers[0].env;
    const byName = Object.fromEntries(env.map((e: Json) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
    expect(byName).toMatchObject({
      MINIO_ROOT_USER: { name: 'minio-root', key: 'username' }, MINIO_ROOT_PASSWORD: { name: 'minio-root', key: 'password' },
      GRANT_POLICY_NAME: 'minio-mlflow', GRANT_ACCESS_KEY: { name: 'minio-mlflow', key: 'username' }, GRANT_SECRET_KEY: { name: 'minio-mlflow', key: 'password' },
      GRANT_POLICY: bucketPolicyDocument([BucketAccess.readWrite('ml-artifacts', 'mlflow')]),
    });
    expect(job.metadata.labels['app.kubernetes.io/component']).toBe('user-setup');
  });

  test('refused: a bucket the store does not create, a user granted twice, the root Secret as a user\'s, a bad name', () => {
    const { minio } = store(['ml-artifacts']);
    expect(() => minio.grant('backup', [BucketAccess.backupWriter('ml-db-backups')])).toThrow(
      "ObjectStore 'test/minio': user 'backup' is granted bucket 'ml-db-backups', which the store does not create (its buckets: ml-artifacts): add it to buckets.");
    minio.grant('mlflow', [BucketAccess.readWrite('ml-artifacts')]);
    expect(() => minio.grant('mlflow', [BucketAccess.readOnly('ml-artifacts')])).toThrow(
      "ObjectStore 'test/minio': user 'mlflow' is granted twice: grant it once with every BucketAccess it needs.");
    expect(() => minio.grant('x', [BucketAccess.readOnly('ml-artifacts')], Credentials.existingSecret('minio-root'))).toThrow(
      "ObjectStore 'test/minio': user 'x' would use the root credentials 'minio-root': give it a Secret of its own.");
    expect(() => minio.grant('Bad_Name', [BucketAccess.readOnly('ml-artifacts')])).toThrow("user 'Bad_Name' is not a DNS-1123 label");
  });
});

describe('the reference platform: every consumer of MinIO has its own user', () => {
  test.each(referenceProfiles().map((p) => [p.name, p] as const))('%s: the root key is read by MinIO and its setup Jobs only', (_name, profile) => {
    const app = new App();
    buildPlatform(app, profile);
    const objects = renderProfile(app, profile).objects as Manifest[];
    const readers = (secret: string) => objects.filter((o) => JSON.stringify(o).includes(`"name":"${secret}"`) && o.kind !== 'Secret')
      .map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name.replace(/-[0-9a-f]{8}$/, '')}`).sort();
    expect(readers('minio-root')).toEqual([
      'Job ml-tracking/minio-buckets', 'Job ml-tracking/minio-user-mlflow', 'Job ml-tracking/minio-user-postgres-backup', 'StatefulSet ml-tracking/minio',
    ]);
    expect(readers('minio-mlflow')).toEqual(['Deployment ml-tracking/mlflow', 'Job ml-tracking/minio-user-mlflow']);
    expect(readers('minio-postgres-backup')).toEqual(['CronJob ml-db/postgres-logical-backup', 'Job ml-tracking/minio-user-postgres-backup']);
    // The backup user may prune its prefix but not read a finished backup.
    const backupJob = all(objects, 'Job').find((j) => j.metadata.name.startsWith('minio-user-postgres-backup-'))!;
    const policy = backupJob.spec.template.spec.containers[0].env.find((e: Json) => e.name === 'GRANT_POLICY').value;
    expect(policy).toBe(bucketPolicyDocument([BucketAccess.backupWriter('ml-db-backups', 'postgres')]));
  });
});

describeEachShell('minio-create-buckets.sh, scoped user, under %s', (shell) => {
  // The rendered user Job, run as the Job runs it: its command and env (Secret values resolved as the kubelet would).
  const { chart, minio } = store();
  minio.grant('mlflow', [BucketAccess.readWrite('ml-artifacts', 'mlflow')]);
  const container = findJob(synth(chart), 'minio-user-mlflow').spec.template.spec.containers[0];
  const SECRETS: Record<string, Record<string, string>> = {
    'minio-root': { username: 'root', password: 'r00t' }, 'minio-mlflow': { username: 'mlflow', password: 'ml-s3cret' },
  };
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minio-user-'));
    // A stand-in mc: logs each call; `admin policy create` copies the policy file it was given.
    fs.writeFileSync(path.join(dir, 'mc'), `#!/bin/sh\necho "$*" >> "$MC_LOG"\n[ "$1 $2 $3" = "admin policy create" ] && cp "$6" "$MC_LOG.policy"\nexit 0\n`, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(override: Record<string, string> = {}) {
    const env: Record<string, string> = { PATH: `${dir}:${process.env.PATH}`, MC_LOG: path.join(dir, 'log'), TMPDIR: dir };
    for (const e of container.env as Json[]) env[e.name] = e.value ?? SECRETS[e.valueFrom.secretKeyRef.name][e.valueFrom.secretKeyRef.key];
    env.MC_CONFIG_DIR = path.join(dir, '.mc');
    const [, , script, ...args] = container.command;
    const result = spawnSync(shell[0], [...shell.slice(1), '-c', script, ...args], { env: { ...env, ...override }, encoding: 'utf8' });
    const log = fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8').trim().split('\n') : [];
    return { ...result, log };
  }

  test('creates the user with its own keys and attaches exactly the rendered policy; a re-run converges', () => {
    const out = run();
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.log).toEqual([
      'ls store',
      'admin user add store mlflow ml-s3cret',
      `admin policy create store minio-mlflow ${path.join(dir, 'minio-mlflow.json')}`,
      'admin policy detach store minio-mlflow --user mlflow',
      'admin policy attach store minio-mlflow --user mlflow',
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'log.policy'), 'utf8'))).toEqual(JSON.parse(bucketPolicyDocument([BucketAccess.readWrite('ml-artifacts', 'mlflow')])));
    expect(run().status).toBe(0);
  });

  test('a user whose access key is the root user\'s is refused before anything is done', () => {
    const out = run({ GRANT_ACCESS_KEY: 'root' });
    expect(out.status).toBe(65);
    expect(out.stderr).toContain("the scoped user's access key is the root user's: give minio-mlflow its own key pair");
    expect(out.log).toEqual([]);
  });
});
