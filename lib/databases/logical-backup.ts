import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { ContainerResources, buildPodSpec } from '../stateful/container';
import { Quantity } from '../storage/quantity';
import { retentionScheduleProblems } from '../storage/cron-schedule';
import type { StorageTier } from '../storage/storage-class-pack';
import type { StatefulDatabase } from './stateful-database';

/** Where logical backups are written. */
export class BackupDestination {
  /**
   * A PersistentVolumeClaim created for the backups (`<database>-backups`), from `tier`. Use a
   * tier on other disks than the database's (the claim is its own volume either way); the
   * backups of all retained runs must fit in `size`.
   */
  public static claim(options: {
    readonly tier: StorageTier;
    /** Size of the backup volume (`50Gi`). */
    readonly size: string;
    /** @default '<database>-backups' */
    readonly name?: string;
  }): BackupDestination {
    return new BackupDestination(options.tier, options.size, options.name);
  }

  private constructor(
    public readonly tier: StorageTier,
    public readonly size: string,
    public readonly claimName?: string,
  ) {}
}

/** Props of `LogicalBackup`. */
export interface LogicalBackupProps {
  /** The database server to dump (through its read-write Service, i.e. the primary). */
  readonly database: StatefulDatabase;
  /** Where the dumps go: `BackupDestination.claim({ tier, size })`, a claim of their own. */
  readonly destination: BackupDestination;
  /** When to back up, in cron syntax (`15 2 * * *`) or a descriptor (`@daily`), in `timeZone`. */
  readonly schedule: string;
  /** Complete backups kept; older ones are deleted after each successful backup. @default 7 */
  readonly keep?: number;
  /** Name of the CronJob. @default '<database>-logical-backup' */
  readonly name?: string;
  /** IANA time zone of `schedule`. @default 'Etc/UTC' */
  readonly timeZone?: string;
  /** A run that cannot start within this many seconds of its time is skipped. @default 600 */
  readonly startingDeadlineSeconds?: number;
  /** A run is killed after this many seconds. @default 7200 */
  readonly activeDeadlineSeconds?: number;
  /** Sizing of the dump container. @default - 100m CPU, 256Mi memory */
  readonly resources?: ContainerResources;
}

const MAX_CRONJOB_NAME = 52;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Scheduled logical backups of a StatefulDatabase: `pg_dumpall --globals-only` + `pg_dump -Fc`
 * per database (PostgreSQL) or `mysqldump --single-transaction --all-databases` (MySQL, MariaDB),
 * run by a CronJob (`concurrencyPolicy: Forbid`, a starting deadline, restricted pod) with the
 * engine's own image, so the dump tools match the server version. Each run writes a timestamped
 * directory to the backup claim and keeps the newest `keep`. Unlike CSI snapshots, logical
 * backups are consistent by construction, portable across versions, clouds and storage drivers,
 * and work on every profile (kind's local-path included). When the database restricts its clients
 * (`allowFrom`), the job's pods are admitted; they need no Kubernetes API access (no token).
 */
export class LogicalBackup extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly keep: number;
  /** Name of the claim holding the backups. */
  public readonly claimName: string;
  public readonly claim: k8s.KubePersistentVolumeClaim;
  public readonly cronJob: k8s.KubeCronJob;
  public readonly configMap: k8s.KubeConfigMap;
  /** Labels of the backup pods (the database admits them). */
  public readonly podLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: LogicalBackupProps) {
    super(scope, id);
    const db = props.database;
    const where = `LogicalBackup '${this.node.path}'`;
    this.namespace = db.namespace;
    this.name = props.name ?? `${db.name}-logical-backup`;
    this.keep = props.keep ?? 7;
    this.claimName = props.destination.claimName ?? `${db.name}-backups`;
    const profile = db.workload.profile;
    if (!NAME.test(this.name) || this.name.length > MAX_CRONJOB_NAME) {
      throw new Error(`${where}: invalid name '${this.name}' (${this.name.length} characters): a CronJob name is a DNS-1123 label of at most ${MAX_CRONJOB_NAME} characters; pass a shorter name.`);
    }
    const tier = props.destination.tier;
    if (tier.profile !== profile) {
      throw new Error(`${where}: backup tier '${tier.name}' belongs to a StorageClassPack of profile '${tier.profile.name}', not '${profile.name}': take the tier from the pack built for this profile.`);
    }
    Quantity.parse(props.destination.size, `backup claim size of ${where}`);

    this.podLabels = {
      'app.kubernetes.io/name': 'logical-backup',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/part-of': db.name,
      'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml',
    };
    const metadata = { name: this.name, namespace: this.namespace, labels: { ...this.podLabels } };
    this.claim = new k8s.KubePersistentVolumeClaim(this, 'Claim', {
      metadata: { ...metadata, name: this.claimName },
      spec: tier.claimSpec(props.destination.size),
    });

    const postgres = db.family === 'postgres';
    const scriptFile = postgres ? 'backup-postgres.sh' : 'backup-mysql.sh';
    const configMapName = `${this.name}-script`;
    this.configMap = new k8s.KubeConfigMap(this, 'Script', {
      metadata: { ...metadata, name: configMapName },
      data: { [scriptFile]: readAsset(__dirname, `scripts/${scriptFile}`) },
    });

    const host = db.readWriteService.host;
    const env: k8s.EnvVar[] = [
      { name: 'BACKUP_DIR', value: '/backup' },
      { name: 'KEEP', value: String(this.keep) },
      ...(postgres ? [
        { name: 'PGHOST', value: host },
        { name: 'PGPORT', value: String(db.port) },
        db.credentials.envVar('PGUSER', 'username'),
        db.credentials.envVar('PGPASSWORD', 'password'),
      ] : [
        { name: 'DB_HOST', value: host },
        { name: 'DB_PORT', value: String(db.port) },
        db.credentials.envVar('DB_USER', 'username'),
        db.credentials.envVar('MYSQL_PWD', 'password'),
      ]),
    ];
    const podSpec = buildPodSpec({
      restartPolicy: 'Never',
      runAs: db.engine.runAs,
      volumes: [
        { name: 'script', configMap: { name: configMapName, defaultMode: 0o444 } },
        { name: 'backup', persistentVolumeClaim: { claimName: this.claimName } },
      ],
      containers: [{
        name: 'backup',
        image: db.engine.image,
        command: ['/bin/sh', `/scripts/${scriptFile}`],
        env,
        resources: props.resources ?? { cpu: '100m', memory: '256Mi' },
        volumeMounts: [
          { name: 'script', mountPath: '/scripts', readOnly: true },
          { name: 'backup', mountPath: '/backup' },
        ],
        writablePaths: ['/tmp'],
      }],
    }, profile);

    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata,
      spec: {
        schedule: props.schedule,
        timeZone: props.timeZone ?? 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: props.startingDeadlineSeconds ?? 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: { ...this.podLabels } },
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: props.activeDeadlineSeconds ?? 7200,
            template: { metadata: { labels: { ...this.podLabels } }, spec: podSpec },
          },
        },
      },
    });
    // A database that restricts its clients admits the backup pods; an open one stays open rather
    // than being closed to everyone else by a backup.
    db.workload.allowFromIfRestricted({ namespace: this.namespace, podSelector: this.podLabels }, [db.port]);
    this.node.addValidation({
      validate: () => {
        const errors = retentionScheduleProblems({ ...props, keep: this.keep }, 'backup');
        return errors;
      },
    });
  }
}
