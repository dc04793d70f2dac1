import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { SNAPSHOT_API_GROUP, SnapshotClass, cronJobNameProblem, kubectlImage, retentionCronJobSpec, retentionScheduleProblems } from '../storage';
import { SnapshotDeleteGuard } from './snapshot-delete-guard';
import { buildPodSpec, imageProblem } from './container';
import { NetworkFlows } from './network-flows';
import type { StatefulWorkload, VolumeClaimTemplateSpec } from './stateful-workload';
import { assertKnownProps, propNames } from '../profiles/known-props';
import { MANAGED_BY_LABELS } from '../names';
import { addProblems, describeConstruct, propsError } from '../private/errors';

/** A StatefulWorkload, or a construct built on one (StatefulDatabase, Redis, a trainer). */
export type WorkloadSource = StatefulWorkload | { readonly workload: StatefulWorkload };

/** The StatefulWorkload behind `source`. */
export function workloadOf(source: WorkloadSource): StatefulWorkload {
  return 'workload' in source ? source.workload : source;
}

/** Label on every snapshot a schedule takes, naming the schedule (pruning selects by it). */
export const SNAPSHOT_SCHEDULE_LABEL = 'ml.cdk8s.io/snapshot-schedule';
/** Label on every scheduled snapshot, naming the claim it copies. */
export const SNAPSHOT_CLAIM_LABEL = 'ml.cdk8s.io/source-claim';

/** Props of `SnapshotSchedule`. */
export interface SnapshotScheduleProps {
  /** The workload whose claims are snapshotted. */
  readonly target: WorkloadSource;
  /** Class the snapshots are taken with; its driver must provision every snapshotted claim. */
  readonly snapshotClass: SnapshotClass;
  /** When to snapshot, in cron syntax (`0 3 * * *`) or a descriptor (`@daily`), in `timeZone`. */
  readonly schedule: string;
  /** Snapshots kept per claim; older ones are deleted after each new snapshot. @default 7 */
  readonly keep?: number;
  /** Volume claim templates to snapshot. @default - every template of the workload */
  readonly templates?: readonly string[];
  /** Name of the CronJob, its ServiceAccount, Role and ConfigMap. @default '<workload>-snapshots' */
  readonly name?: string;
  /** IANA time zone of `schedule`. @default 'Etc/UTC' */
  readonly timeZone?: string;
  /**
   * A run that could not start within this many seconds of its time (controller down, previous
   * run still going) is skipped instead of piling up.
   * @default 600
   */
  readonly startingDeadlineSeconds?: number;
  /** A run is killed after this many seconds. @default 1800 */
  readonly activeDeadlineSeconds?: number;
  /** Image with kubectl and a POSIX shell. @default - kubectl of the profile's minor (`kubectlImage(profile.kubeVersion)`) */
  readonly image?: string;
  /** Create the CronJob suspended. @default false */
  readonly suspend?: boolean;
}

const SCRIPT_FILE = 'snapshot-claims.sh';

/**
 * Scheduled CSI snapshots of every claim of every ordinal of a StatefulWorkload: a CronJob
 * (restricted pod, `concurrencyPolicy: Forbid`, a starting deadline) running a POSIX sh script
 * from a ConfigMap with a ServiceAccount whose Role allows exactly list on PersistentVolumeClaims
 * (found by label when the job runs, so scaling needs no new render) and create/list/delete on
 * VolumeSnapshots. RBAC cannot scope a delete by label, so where the cluster has
 * ValidatingAdmissionPolicy (1.30+) a policy lets this job create and delete only snapshots
 * carrying its schedule label. No `pods/exec`: CSI snapshots of one volume holding PGDATA and WAL
 * are crash-consistent, which is what a restore replays from. Snapshots are named
 * `<claim>-<yyyymmdd-hhmmss>` (UTC, at run time) and the newest `keep` per claim are kept.
 */
export class SnapshotSchedule extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly workload: StatefulWorkload;
  public readonly keep: number;
  /** Templates whose claims are snapshotted. */
  public readonly templates: readonly VolumeClaimTemplateSpec[];
  /** The Role's rules: what the job may do, and nothing else. */
  public readonly rules: readonly k8s.PolicyRule[];
  public readonly cronJob: k8s.KubeCronJob;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly role: k8s.KubeRole;
  public readonly roleBinding: k8s.KubeRoleBinding;
  public readonly configMap: k8s.KubeConfigMap;
  /** Admission policy limiting the job to its own snapshots (clusters with ValidatingAdmissionPolicy, 1.30+). */
  public readonly deleteGuard?: SnapshotDeleteGuard;

  constructor(scope: Construct, id: string, props: SnapshotScheduleProps) {
    super(scope, id);
    assertKnownProps(describeConstruct(this, 'SnapshotSchedule'), props, SNAPSHOT_SCHEDULE_PROPS);
    this.workload = workloadOf(props.target);
    const workload = this.workload;
    this.namespace = workload.namespace;
    this.name = props.name ?? `${workload.name}-snapshots`;
    this.keep = props.keep ?? 7;
    const snapshotClass = props.snapshotClass;

    if (snapshotClass.profile.name !== workload.profile.name) {
      throw propsError(this, 'SnapshotSchedule', `snapshot class '${snapshotClass.name}' is for profile '${snapshotClass.profile.name}', but StatefulWorkload '${workload.name}' targets '${workload.profile.name}'.`);
    }
    if (!workload.volumeClaims.length) {
      throw propsError(this, 'SnapshotSchedule', `StatefulWorkload '${workload.name}' has no volume claim templates: there is nothing to snapshot.`);
    }
    const known = workload.volumeClaims.map((c) => c.name);
    const unknown = (props.templates ?? []).filter((t) => !known.includes(t));
    if (unknown.length) {
      throw propsError(this, 'SnapshotSchedule', `StatefulWorkload '${workload.name}' has no volume claim template '${unknown.join("', '")}' (it has: ${known.join(', ')}).`);
    }
    this.templates = props.templates ? workload.volumeClaims.filter((c) => props.templates!.includes(c.name)) : workload.volumeClaims;
    if (!this.templates.length) throw propsError(this, 'SnapshotSchedule', `templates is empty: name at least one volume claim template.`);
    for (const claim of this.templates) {
      if (!snapshotClass.canSnapshot(claim.tier)) {
        throw propsError(this, 'SnapshotSchedule', `claim template '${claim.name}' of StatefulWorkload '${workload.name}' is on tier '${claim.tier.name}' ` +
          `(${claim.tier.driver.provisioner}), which snapshot class '${snapshotClass.name}' (${snapshotClass.driver.provisioner}) cannot snapshot: ` +
          `move the data to a tier of ${snapshotClass.driver.provisioner}, leave the template out with templates: [...], or back it up logically.`);
      }
    }
    const nameProblem = cronJobNameProblem(this.name);
    if (nameProblem) throw propsError(this, 'SnapshotSchedule', `${nameProblem}.`);
    const longest = Math.max(...this.templates.map((c) => workload.claimName(c.name, workload.replicas - 1).length));
    if (longest > 63) {
      throw propsError(this, 'SnapshotSchedule', `claim names of StatefulWorkload '${workload.name}' reach ${longest} characters, but the ${SNAPSHOT_CLAIM_LABEL} label value that pruning selects by is limited to 63: use shorter template or workload names.`);
    }

    this.rules = [
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list'] },
      { apiGroups: [SNAPSHOT_API_GROUP], resources: ['volumesnapshots'], verbs: ['create', 'list', 'delete'] },
    ];

    const labels = {
      'app.kubernetes.io/name': 'snapshot-schedule',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/part-of': workload.name,
      ...MANAGED_BY_LABELS,
    };
    const metadata = { name: this.name, namespace: this.namespace, labels };
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });
    // kubectl talks to the API server; nothing else.
    NetworkFlows.of(this).reachApiServer({ namespace: this.namespace, podSelector: labels }, workload.profile.network);
    this.role = new k8s.KubeRole(this, 'Role', { metadata, rules: [...this.rules] });
    if (workload.profile.kubeVersion.hasValidatingAdmissionPolicy) {
      this.deleteGuard = new SnapshotDeleteGuard(this, 'DeleteGuard', {
        name: this.name, namespace: this.namespace, serviceAccount: this.name, label: SNAPSHOT_SCHEDULE_LABEL, value: this.name,
      });
    }
    this.roleBinding = new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
      subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: this.namespace }],
    });
    const configMapName = `${this.name}-script`;
    this.configMap = new k8s.KubeConfigMap(this, 'Script', {
      metadata: { ...metadata, name: configMapName },
      data: { [SCRIPT_FILE]: readAsset(__dirname, `scripts/${SCRIPT_FILE}`) },
    });

    const selector = Object.entries(workload.selectorLabels).map(([k, v]) => `${k}=${v}`).join(',');
    const env: k8s.EnvVar[] = [
      { name: 'NAMESPACE', value: this.namespace },
      { name: 'STATEFULSET', value: workload.name },
      { name: 'TEMPLATES', value: this.templates.map((c) => c.name).join(' ') },
      { name: 'SELECTOR', value: selector },
      { name: 'SNAPSHOT_CLASS', value: snapshotClass.name },
      { name: 'SCHEDULE', value: this.name },
      { name: 'KEEP', value: String(this.keep) },
      // kubectl keeps its discovery cache under $HOME; the root filesystem is read-only.
      { name: 'HOME', value: '/tmp' },
    ];
    const image = props.image ?? kubectlImage(workload.profile.kubeVersion);
    const podSpec = buildPodSpec({
      serviceAccountName: this.name,
      automountServiceAccountToken: true,
      restartPolicy: 'Never',
      volumes: [{ name: 'script', configMap: { name: configMapName, defaultMode: 0o444 } }],
      containers: [{
        name: 'snapshot',
        image,
        command: ['/bin/sh', `/scripts/${SCRIPT_FILE}`],
        env,
        resources: { cpu: '50m', memory: '128Mi' },
        volumeMounts: [{ name: 'script', mountPath: '/scripts', readOnly: true }],
        writablePaths: ['/tmp'],
      }],
    }, workload.profile);

    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata,
      spec: retentionCronJobSpec({
        ...props,
        suspend: props.suspend ?? false,
        activeDeadlineSeconds: props.activeDeadlineSeconds ?? 1800,
      }, labels, podSpec),
    });

    addProblems(this, () => {
      const errors = retentionScheduleProblems({ ...props, keep: this.keep }, 'snapshot');
      const problem = imageProblem(image);
      if (problem) errors.push(problem);
      return errors;
    });
  }

  /** Name pattern of the snapshots of `claim` this schedule takes (for humans and restore runbooks). */
  public snapshotNamePattern(claim: string): string {
    return `${claim}-<yyyymmdd-hhmmss>`;
  }

  /** The claims snapshotted at the declared replica count, ordinal by ordinal. */
  public get claimNames(): string[] {
    return Array.from({ length: this.workload.replicas }, (_, i) => this.templates.map((c) => this.workload.claimName(c.name, i))).flat();
  }
}

/** Keys of SnapshotScheduleProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const SNAPSHOT_SCHEDULE_PROPS = propNames<SnapshotScheduleProps>({ target: true, snapshotClass: true, schedule: true, keep: true, templates: true, name: true, timeZone: true, startingDeadlineSeconds: true, activeDeadlineSeconds: true, image: true, suspend: true });
