import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import {
  BackupDestination, Credentials, DatabaseEngine, LogicalBackup, LogicalBackupProps, Profile, StatefulDatabase, StorageClassPack, runGates,
} from '../../lib';
import { all, find, newChart, synth } from '../support/synth';
import { renderedScript, renderedScriptDir } from '../support/scripts';
import { describeEachShell } from '../support/shells';

function backedUp(profile: Profile, engine = DatabaseEngine.postgres('16.4'), props: Partial<LogicalBackupProps> = {}, restrict = false) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage');
  const database = new StatefulDatabase(chart, 'db', {
    name: 'postgres', engine, namespace: 'ml-db', replicas: 2,
    storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('db-admin'),
    ...(restrict ? { allowFrom: [{ namespace: 'ml-tracking', podSelector: { app: 'mlflow' } }] } : {}),
  });
  const backup = new LogicalBackup(chart, 'backup', {
    database, destination: BackupDestination.claim({ tier: pack.standard, size: '50Gi' }), schedule: '15 2 * * *', ...props,
  });
  return { chart, pack, database, backup, objects: () => synth(chart) };
}

describe('LogicalBackup', () => {
  test('PostgreSQL: CronJob with the engine image dumping the primary to its own claim, credentials by reference', () => {
    const { objects } = backedUp(Profile.eks(), undefined, { keep: 14 });
    const o = objects();
    const claim = find(o, 'PersistentVolumeClaim', 'postgres-backups');
    expect(claim).toMatchObject({
      metadata: { namespace: 'ml-db' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ml-standard-v1', resources: { requests: { storage: '50Gi' } } },
    });
    const cronJob = find(o, 'CronJob', 'postgres-logical-backup');
    expect(cronJob.spec).toMatchObject({ schedule: '15 2 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600 });
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsUser: 999, fsGroup: 999 } });
    expect(pod.serviceAccountName).toBeUndefined();
    const [container] = pod.containers;
    expect(container.image).toBe('postgres:16.4-bookworm');
    expect(container.command).toEqual(['/bin/sh', '/scripts/backup-postgres.sh']);
    expect(container.env).toEqual([
      { name: 'BACKUP_DIR', value: '/backup' },
      { name: 'KEEP', value: '14' },
      // The primary, through the read-write Service.
      { name: 'PGHOST', value: 'postgres-rw.ml-db.svc.cluster.local' },
      { name: 'PGPORT', value: '5432' },
      // Not the superuser: the database's pg_read_all_data role, its password from its own Secret.
      { name: 'PGUSER', value: 'backup' },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-backup', key: 'password' } } },
    ]);
    // The database creates that role at every start of the primary, its password projected from the same Secret.
    const dbConfig = find(o, 'ConfigMap', 'postgres-config').data;
    expect(dbConfig['databases.list'].split('\n')).toContain('@backup backup');
    expect(dbConfig['reconcile.sh']).toContain('GRANT pg_read_all_data TO :"role";');
    expect(find(o, 'StatefulSet', 'postgres').spec.template.spec.volumes.find((v: any) => v.name === 'secrets').projected.sources)
      .toContainEqual({ secret: { name: 'postgres-backup', items: [{ key: 'password', path: 'backup/password' }] } });
    expect(find(o, 'Service', 'postgres-rw').spec.ports[0].port).toBe(5432);
    expect(pod.volumes).toContainEqual({ name: 'backup', persistentVolumeClaim: { claimName: 'postgres-backups' } });
    expect(container.volumeMounts).toContainEqual({ name: 'backup', mountPath: '/backup' });
    const script = find(o, 'ConfigMap', 'postgres-logical-backup-script').data['backup-postgres.sh'];
    expect(script).toBe(renderedScript('databases/scripts/backup-postgres.sh'));
    expect(all(o, 'Secret')).toEqual([]);
  });

  test('a database that restricts its clients admits the backup pods on its port; an open one stays open', () => {
    const restricted = backedUp(Profile.gke(), undefined, {}, true).objects();
    const policy = find(restricted, 'NetworkPolicy', 'postgres');
    const cronJob = find(restricted, 'CronJob', 'postgres-logical-backup');
    const podLabels = cronJob.spec.jobTemplate.spec.template.metadata.labels;
    const rule = policy.spec.ingress.find((r: any) => r.from[0].podSelector.matchLabels['app.kubernetes.io/name'] === 'logical-backup');
    expect(rule).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-db' } }, podSelector: { matchLabels: podLabels } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    });
    expect(all(backedUp(Profile.gke()).objects(), 'NetworkPolicy')).toEqual([]);
  });

  test('works on kind (no snapshot driver needed) and passes the gates on every profile', () => {
    for (const profile of [Profile.kind(), Profile.gke(), Profile.eks(), Profile.aks()]) {
      const report = runGates(backedUp(profile).objects(), { kubeVersion: profile.kubeVersion.toString() });
      // Findings about the backup's own objects; the database's are the database tests' business.
      const mine = ['CronJob ml-db/postgres-logical-backup', 'ConfigMap ml-db/postgres-logical-backup-script', 'PersistentVolumeClaim ml-db/postgres-backups'];
      expect(report.errors.filter((e) => mine.includes(e.object))).toEqual([]);
    }
    // The filter names the objects as the gates do: a broken backup pod is reported under it.
    const objects = backedUp(Profile.gke()).objects();
    find(objects, 'CronJob', 'postgres-logical-backup').spec.jobTemplate.spec.template.spec.securityContext.runAsNonRoot = false;
    expect(runGates(objects, { kubeVersion: '1.35' }).errors.map((e) => `${e.rule} ${e.object}`))
      .toContain('pss/run-as-non-root CronJob ml-db/postgres-logical-backup');
  });
});

describe('LogicalBackup bad input', () => {
  test('invalid cron, keep < 1 and an active deadline < 1 are reported together', () => {
    expect(backedUp(Profile.gke(), undefined, { schedule: '*/0 * * * *', keep: 0, activeDeadlineSeconds: 0 }).objects).toThrow([
      "[test/backup] invalid schedule '*/0 * * * *': minute field '*/0' has step '0': a step is a whole number ≥ 1; " +
      "use five fields 'minute hour day-of-month month day-of-week', e.g. '0 3 * * *' (daily at 03:00), or a descriptor such as '@daily'",
      '[test/backup] keep 0 must be a whole number ≥ 1: pruning would delete every backup, including the one just taken',
      '[test/backup] activeDeadlineSeconds 0 must be a whole number ≥ 1',
    ].join('\n'));
  });

  test('a CronJob name too long for its Jobs', () => {
    expect(() => backedUp(Profile.gke(), undefined, { name: 'b'.repeat(53) })).toThrow(
      `LogicalBackup 'test/backup': invalid name '${'b'.repeat(53)}' (53 characters): a CronJob name is a DNS-1123 label of at most 52 characters; pass a shorter name.`);
  });

  test('a backup claim below the tier minimum', () => {
    const { chart, pack } = backedUp(Profile.eks());
    const database = new StatefulDatabase(chart, 'db2', {
      name: 'postgres2', engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db',
      storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('db-admin'),
    });
    expect(() => new LogicalBackup(chart, 'small', {
      database, destination: BackupDestination.claim({ tier: pack.throughput, size: '100Gi' }), schedule: '@daily',
    })).toThrow("LogicalBackup 'test/small': backup claim size 100Gi is below the minimum of tier 'throughput' on profile 'eks' " +
      '(ebs.csi.aws.com provisions at least 125Gi): ask for 125Gi or more, or use another tier.');
  });

  test('a backup tier from another profile\'s pack', () => {
    const { chart } = newChart(Profile.gke());
    const pack = new StorageClassPack(chart, 'storage');
    const other = new StorageClassPack(newChart(Profile.eks()).chart, 'storage');
    const database = new StatefulDatabase(chart, 'db', {
      name: 'postgres', engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db',
      storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('db-admin'),
    });
    expect(() => new LogicalBackup(chart, 'backup', {
      database, destination: BackupDestination.claim({ tier: other.standard, size: '50Gi' }), schedule: '@daily',
    })).toThrow("LogicalBackup 'test/backup': backup tier 'standard' belongs to a StorageClassPack of profile 'eks', not 'gke': take the tier from the pack built for this profile.");
  });
});

describeEachShell('backup-mysql.sh under %s (stand-in mysqldump)', (shell) => {
  const script = path.join(renderedScriptDir('databases/scripts/backup-mysql.sh'), 'backup-mysql.sh');
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mysql-backup-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'backup'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(stamp: string, dumpStatus = 0) {
    fs.writeFileSync(path.join(dir, 'bin', 'date'), `#!/bin/sh\necho ${stamp}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'bin', 'mysqldump'),
      `#!/bin/sh\necho "$*" > "${dir}/args"\necho "pwd=$MYSQL_PWD" >> "${dir}/args"\necho '-- dump'\nexit ${dumpStatus}\n`, { mode: 0o755 });
    const [cmd, ...args] = shell;
    return spawnSync(cmd, [...args, script], {
      encoding: 'utf8',
      env: { PATH: `${dir}/bin:/usr/bin:/bin`, BACKUP_DIR: `${dir}/backup`, KEEP: '2', DB_HOST: 'mysql-rw.ml-db.svc.cluster.local', DB_PORT: '3306', DB_USER: 'root', MYSQL_PWD: 's3cret' },
    });
  }

  test('one consistent dump of every database, gzip-compressed; the newest KEEP kept; a failed dump is not kept', () => {
    expect(run('20250301-020000').status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'args'), 'utf8')).toBe(
      '--host=mysql-rw.ml-db.svc.cluster.local --port=3306 --user=root --single-transaction --routines --events --triggers --all-databases\npwd=s3cret\n');
    const gz = spawnSync('gzip', ['-dc', path.join(dir, 'backup', '20250301-020000', 'all-databases.sql.gz')], { encoding: 'utf8' });
    expect(gz.stdout).toBe('-- dump\n');
    const failed = run('20250302-020000', 2);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('mysqldump failed with status 2');
    expect(run('20250303-020000').status).toBe(0);
    expect(run('20250304-020000').status).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'backup')).sort()).toEqual(['20250303-020000', '20250304-020000']);
  });
});
