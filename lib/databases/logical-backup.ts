import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { MANAGED_BY_LABELS } from '../names';
import { describeConstruct, propsError } from '../private/errors';
import { ContainerResources, ContainerSpec, buildPodSpec } from '../stateful/container';
import { tierProfileProblem } from '../stateful/stateful-service';
import { BucketAccess } from '../storage/bucket-access';
import { Quantity } from '../storage/quantity';
import { cronJobNameProblem, retentionCronJobSpec, retentionScheduleProblems } from '../storage/cron-schedule';
import { BackupDestination, BucketTarget, MC_CONFIG_DIR, MINIO_CLIENT_IMAGE, mcTrustedCa } from './backup-destination';
import type { StatefulDatabase } from './stateful-database';
import { assertKnownProps, propNames } from '../profiles/known-props';
import { crossAppProblem } from '../profiles/same-app';

/** Props of `LogicalBackup`. */
export interface LogicalBackupProps {
  /** The database server to dump (through its read-write Service, i.e. the primary). */
  readonly database: StatefulDatabase;
  /**
   * Where the dumps go: `BackupDestination.claim({ tier, size })`, a claim of their own;
   * `BackupDestination.objectStore(store, bucket)`, a bucket of the in-cluster MinIO; or
   * `BackupDestination.s3({ url, ... })`, a cloud bucket.
   */
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
  /** Sizing of the upload container (bucket destinations). @default - 100m CPU, 256Mi memory */
  readonly uploadResources?: ContainerResources;
}

const DUMP_DIR = '/dump';

/**
 * Scheduled logical backups of a StatefulDatabase: `pg_dumpall --globals-only` + `pg_dump -Fc`
 * per database (PostgreSQL) or `mysqldump --single-transaction --all-databases` (MySQL, MariaDB),
 * run by a CronJob (`concurrencyPolicy: Forbid`, a starting deadline, restricted pod) with the
 * engine's own image, so the dump tools match the server version. Each run writes a timestamped
 * directory to the backup claim, or dumps into a scratch emptyDir and uploads it to a bucket with
 * `mc`, and keeps the newest `keep`. Unlike CSI snapshots, logical backups are consistent by
 * construction, portable across versions, clouds and storage drivers, and work on every profile
 * (kind's local-path included). When the database restricts its clients (`allowFrom`), the job's
 * pods are admitted, and an in-cluster object store admits them; they need no Kubernetes API
 * access (no token).
 */
export class LogicalBackup extends Construct {
  /** Name of the CronJob (and of the ServiceAccount, when there is one). */
  public readonly name: string;
  /** The database's namespace, where the CronJob runs. */
  public readonly namespace: string;
  /** Complete backups kept. */
  public readonly keep: number;
  /** Name of the claim holding the backups (claim destinations). */
  public readonly claimName?: string;
  /** The claim holding the backups (claim destinations). */
  public readonly claim?: k8s.KubePersistentVolumeClaim;
  /** Where the backups land in the bucket, e.g. `s3://ml-db-backups/postgres/` (bucket destinations). */
  public readonly bucketUrl?: string;
  /** The pods' own ServiceAccount, for a workload identity (s3 destinations without keys). */
  public readonly serviceAccount?: k8s.KubeServiceAccount;
  /** The CronJob running the backups. */
  public readonly cronJob: k8s.KubeCronJob;
  /** The ConfigMap holding the dump (and upload) scripts. */
  public readonly configMap: k8s.KubeConfigMap;
  /** Labels of the backup pods (the database admits them). */
  public readonly podLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: LogicalBackupProps) {
    super(scope, id);
    const where = describeConstruct(this, 'LogicalBackup');
    assertKnownProps(where, props, LOGICAL_BACKUP_PROPS);
    const db = props.database;
    this.namespace = db.namespace;
    this.name = props.name ?? `${db.name}-logical-backup`;
    this.keep = props.keep ?? 7;
    const profile = db.workload.profile;
    const nameProblem = cronJobNameProblem(this.name);
    if (nameProblem) throw propsError(this, 'LogicalBackup', `${nameProblem}.`);
    const { claim: claimTarget, bucket: bucketTarget } = props.destination;
    if (claimTarget) {
      const tier = claimTarget.tier;
      const tierProblem = tierProfileProblem(tier, profile, 'backup tier');
      if (tierProblem) throw propsError(this, 'LogicalBackup', tierProblem);
      Quantity.parse(claimTarget.size, `backup claim size of ${where}`);
      const sizeProblem = tier.sizeProblem(claimTarget.size);
      if (sizeProblem) throw propsError(this, 'LogicalBackup', `backup claim ${sizeProblem}.`);
    }

    this.podLabels = {
      'app.kubernetes.io/name': 'logical-backup',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/part-of': db.name,
      ...MANAGED_BY_LABELS,
    };
    const metadata = { name: this.name, namespace: this.namespace, labels: { ...this.podLabels } };

    const engineBackup = db.engine.driver.backup;
    const scriptFile = engineBackup.scriptFile;
    const configMapName = `${this.name}-script`;
    this.configMap = new k8s.KubeConfigMap(this, 'Script', {
      metadata: { ...metadata, name: configMapName },
      data: {
        [scriptFile]: readAsset(__dirname, `scripts/${scriptFile}`),
        ...(bucketTarget ? { 'backup-upload.sh': readAsset(__dirname, 'scripts/backup-upload.sh') } : {}),
      },
    });

    const host = db.readWriteService.host;
    // A TLS database: pg_dump and pg_dumpall verify its certificate against the mounted CA.
    const dbCa = db.clientTls?.mount(this, this.namespace);
    const dbCaVolumes = dbCa ? [dbCa.volume] : [];
    const connectionEnv = engineBackup.connectionEnv({
      host, port: db.port, superuser: db.credentials, backupRole: () => db.backupRole(), tlsEnv: dbCa ? dbCa.env : [],
    });
    const dumpEnv = (backupDir: string, keep: number): k8s.EnvVar[] => [
      { name: 'BACKUP_DIR', value: backupDir },
      { name: 'KEEP', value: String(keep) },
      ...connectionEnv,
    ];
    const dumpContainer = (backupDir: string, keep: number, volume: string): ContainerSpec => ({
      name: bucketTarget ? 'dump' : 'backup',
      image: db.engine.image,
      command: ['/bin/sh', `/scripts/${scriptFile}`],
      env: dumpEnv(backupDir, keep),
      resources: props.resources ?? { cpu: '100m', memory: '256Mi' },
      volumeMounts: [
        { name: 'script', mountPath: '/scripts', readOnly: true },
        { name: volume, mountPath: backupDir },
        ...(dbCa ? [dbCa.volumeMount] : []),
      ],
      writablePaths: ['/tmp'],
    });
    const scriptVolume: k8s.Volume = { name: 'script', configMap: { name: configMapName, defaultMode: 0o444 } };

    let podSpec: k8s.PodSpec;
    if (claimTarget) {
      this.claimName = claimTarget.name ?? `${db.name}-backups`;
      this.claim = new k8s.KubePersistentVolumeClaim(this, 'Claim', {
        metadata: { ...metadata, name: this.claimName },
        spec: claimTarget.tier.claimSpec(claimTarget.size),
      });
      podSpec = buildPodSpec({
        restartPolicy: 'Never',
        runAs: db.engine.runAs,
        volumes: [scriptVolume, { name: 'backup', persistentVolumeClaim: { claimName: this.claimName } }, ...dbCaVolumes],
        containers: [dumpContainer('/backup', this.keep, 'backup')],
      }, profile);
    } else {
      const prefix = bucketTarget!.prefix ?? db.name;
      // An in-cluster store without keys given: the backup gets its own user, which can write and prune its prefix
      // but not read a finished backup (those hold the role password hashes), never the store's root key.
      const target: BucketTarget = bucketTarget!.store && !bucketTarget!.credentials
        ? { ...bucketTarget!, credentials: bucketTarget!.store.grant(`${db.name}-backup`, [BucketAccess.backupWriter(bucketTarget!.bucket, prefix)]) }
        : bucketTarget!;
      this.bucketUrl = `s3://${target.bucket}/${prefix ? `${prefix}/` : ''}`;
      target.credentials?.bind(this, this.namespace);
      if (target.identity) {
        // The workload identity maps this ServiceAccount (annotated for IRSA; named in the EKS Pod Identity association).
        const annotations = target.identity.serviceAccountAnnotations;
        this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
          metadata: { ...metadata, ...(Object.keys(annotations).length ? { annotations: { ...annotations } } : {}) },
          automountServiceAccountToken: false,
        });
      }
      // A TLS store: mc verifies its certificate against the store's CA, mounted where mc trusts CAs.
      const storeCa = target.store?.clientCa?.(this, this.namespace);
      const storeCaMount = storeCa ? mcTrustedCa(storeCa) : undefined;
      podSpec = buildPodSpec({
        restartPolicy: 'Never',
        runAs: db.engine.runAs,
        serviceAccountName: this.serviceAccount ? this.name : undefined,
        volumes: [
          scriptVolume, { name: 'dump', emptyDir: { sizeLimit: k8s.Quantity.fromString(target.sizeLimit) } }, ...dbCaVolumes,
          ...(storeCaMount ? [storeCaMount.volume] : []),
        ],
        // The dump runs to completion first: the upload container starts only after it succeeded.
        initContainers: [dumpContainer(DUMP_DIR, 1, 'dump')],
        containers: [this.uploadContainer(target, prefix, props.uploadResources, storeCaMount?.volumeMount)],
      }, profile);
    }

    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata,
      spec: retentionCronJobSpec({ ...props, activeDeadlineSeconds: props.activeDeadlineSeconds ?? 7200 }, this.podLabels, podSpec),
    });
    const peer = { namespace: this.namespace, podSelector: this.podLabels };
    // A database that restricts its clients admits the backup pods; an open one stays open rather
    // than being closed to everyone else by a backup.
    const crossApp = crossAppProblem(this, db, 'database') ?? crossAppProblem(this, bucketTarget?.store, 'backup destination');
    if (crossApp) throw propsError(this, 'LogicalBackup', `${crossApp}.`);
    db.workload.allowFromIfRestricted(peer, [db.port]);
    bucketTarget?.store?.allowFrom(peer);
    this.node.addValidation({ validate: () => retentionScheduleProblems({ ...props, keep: this.keep }, 'backup') });
    // A workload identity works only on its own cloud (IRSA on GKE would upload with no credentials at all).
    const identity = bucketTarget?.identity;
    if (identity) this.node.addValidation({ validate: () => identity.problems(profile, `[${this.node.path}] backup identity`) });
  }

  /** The `mc` container uploading the dump and pruning the bucket. */
  private uploadContainer(target: BucketTarget, prefix: string, resources: ContainerResources | undefined, caMount: k8s.VolumeMount | undefined): ContainerSpec {
    return {
      name: 'upload',
      image: MINIO_CLIENT_IMAGE,
      command: ['/bin/sh', '/scripts/backup-upload.sh'],
      env: [
        { name: 'DUMP_DIR', value: DUMP_DIR },
        { name: 'KEEP', value: String(this.keep) },
        { name: 'S3_ENDPOINT', value: target.endpoint },
        { name: 'S3_BUCKET', value: target.bucket },
        { name: 'S3_PREFIX', value: prefix },
        ...(target.credentials ? [
          target.credentials.envVar('AWS_ACCESS_KEY_ID', 'username'),
          target.credentials.envVar('AWS_SECRET_ACCESS_KEY', 'password'),
        ] : []),
        ...(target.stsEndpoint ? [{ name: 'MC_STS_ENDPOINT_backup', value: target.stsEndpoint }] : []),
        { name: 'MC_CONFIG_DIR', value: MC_CONFIG_DIR },
      ],
      resources: resources ?? { cpu: '100m', memory: '256Mi' },
      volumeMounts: [
        { name: 'script', mountPath: '/scripts', readOnly: true },
        { name: 'dump', mountPath: DUMP_DIR, readOnly: true },
        ...(caMount ? [caMount] : []),
      ],
      writablePaths: ['/tmp'],
    };
  }
}

/** Keys of LogicalBackupProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const LOGICAL_BACKUP_PROPS = propNames<LogicalBackupProps>({ database: true, destination: true, schedule: true, keep: true, name: true, timeZone: true, startingDeadlineSeconds: true, activeDeadlineSeconds: true, resources: true, uploadResources: true });
