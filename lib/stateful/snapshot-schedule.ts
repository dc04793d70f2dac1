import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { SNAPSHOT_API_GROUP, SnapshotClass, SnapshotHook, cronJobNameProblem, retentionCronJobSpec, retentionScheduleProblems } from '../storage';
import { buildPodSpec, imageProblem } from './container';
import type { StatefulWorkload, VolumeClaimTemplateSpec } from './stateful-workload';
import { assertKnownProps, propNames } from '../profiles/known-props';

/**
 * kubectl image for jobs that call the API server from a POSIX sh script: Alpine, so it has
 * busybox `sh`, `date` and `sort` (registry.k8s.io/kubectl images of recent releases are
 * distroless and have no shell). Within one minor of the profiles' default 1.32.
 */
export const KUBECTL_IMAGE = 'docker.io/alpine/kubectl:1.33.4';

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
  /**
   * Command run in every pod before its claims are snapshotted (e.g.
   * `SnapshotHook.postgresCheckpoint()`); grants `pods/exec` on the workload's pods.
   * @default - none: snapshots are crash-consistent
   */
  readonly hook?: SnapshotHook;
  /** Image with kubectl and a POSIX shell. @default KUBECTL_IMAGE */
  readonly image?: string;
  /** Create the CronJob suspended. @default false */
  readonly suspend?: boolean;
}

const SCRIPT_FILE = 'snapshot-claims.sh';

/**
 * Scheduled CSI snapshots of every claim of every ordinal of a StatefulWorkload: a CronJob
 * (restricted pod, `concurrencyPolicy: Forbid`, a starting deadline) running a POSIX sh script
 * from a ConfigMap with a ServiceAccount whose Role allows exactly get/list on
 * PersistentVolumeClaims and create/list/delete on VolumeSnapshots (plus get on the workload's
 * pods and create on their `exec` subresource when a hook is set). Snapshots are named
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

  constructor(scope: Construct, id: string, props: SnapshotScheduleProps) {
    super(scope, id);
    assertKnownProps(`SnapshotSchedule '${this.node.path}'`, props, SNAPSHOT_SCHEDULE_PROPS);
    this.workload = workloadOf(props.target);
    const workload = this.workload;
    this.namespace = workload.namespace;
    this.name = props.name ?? `${workload.name}-snapshots`;
    this.keep = props.keep ?? 7;
    const where = `SnapshotSchedule '${this.node.path}'`;
    const snapshotClass = props.snapshotClass;

    if (snapshotClass.profile.name !== workload.profile.name) {
      throw new Error(`${where}: snapshot class '${snapshotClass.name}' is for profile '${snapshotClass.profile.name}', but StatefulWorkload '${workload.name}' targets '${workload.profile.name}'.`);
    }
    if (!workload.volumeClaims.length) {
      throw new Error(`${where}: StatefulWorkload '${workload.name}' has no volume claim templates: there is nothing to snapshot.`);
    }
    const known = workload.volumeClaims.map((c) => c.name);
    const unknown = (props.templates ?? []).filter((t) => !known.includes(t));
    if (unknown.length) {
      throw new Error(`${where}: StatefulWorkload '${workload.name}' has no volume claim template '${unknown.join("', '")}' (it has: ${known.join(', ')}).`);
    }
    this.templates = props.templates ? workload.volumeClaims.filter((c) => props.templates!.includes(c.name)) : workload.volumeClaims;
    if (!this.templates.length) throw new Error(`${where}: templates is empty: name at least one volume claim template.`);
    for (const claim of this.templates) {
      if (!snapshotClass.canSnapshot(claim.tier)) {
        throw new Error(`${where}: claim template '${claim.name}' of StatefulWorkload '${workload.name}' is on tier '${claim.tier.name}' ` +
          `(${claim.tier.driver.provisioner}), which snapshot class '${snapshotClass.name}' (${snapshotClass.driver.provisioner}) cannot snapshot: ` +
          `move the data to a tier of ${snapshotClass.driver.provisioner}, leave the template out with templates: [...], or back it up logically.`);
      }
    }
    const nameProblem = cronJobNameProblem(this.name);
    if (nameProblem) throw new Error(`${where}: ${nameProblem}.`);
    const longest = Math.max(...this.templates.map((c) => workload.claimName(c.name, workload.replicas - 1).length));
    if (longest > 63) {
      throw new Error(`${where}: claim names of StatefulWorkload '${workload.name}' reach ${longest} characters, but the ${SNAPSHOT_CLAIM_LABEL} label value that pruning selects by is limited to 63: use shorter template or workload names.`);
    }

    const hook = props.hook;
    const podNames = Array.from({ length: workload.replicas }, (_, i) => workload.podName(i));
    this.rules = [
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list'] },
      { apiGroups: [SNAPSHOT_API_GROUP], resources: ['volumesnapshots'], verbs: ['create', 'list', 'delete'] },
      // kubectl exec reads the pod, then opens pods/exec: over WebSocket (kubectl 1.30+) that is a GET,
      // over SPDY a POST (create). Both only on the workload's pods.
      ...(hook ? [
        { apiGroups: [''], resources: ['pods'], resourceNames: podNames, verbs: ['get'] },
        { apiGroups: [''], resources: ['pods/exec'], resourceNames: podNames, verbs: ['get', 'create'] },
      ] : []),
    ];

    const labels = {
      'app.kubernetes.io/name': 'snapshot-schedule',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/part-of': workload.name,
      'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml',
    };
    const metadata = { name: this.name, namespace: this.namespace, labels };
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });
    this.role = new k8s.KubeRole(this, 'Role', { metadata, rules: [...this.rules] });
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
      ...(hook ? [{ name: 'HOOK_CONTAINER', value: hook.container }] : []),
      // kubectl keeps its discovery cache under $HOME; the root filesystem is read-only.
      { name: 'HOME', value: '/tmp' },
    ];
    const image = props.image ?? KUBECTL_IMAGE;
    const podSpec = buildPodSpec({
      serviceAccountName: this.name,
      automountServiceAccountToken: true,
      restartPolicy: 'Never',
      volumes: [{ name: 'script', configMap: { name: configMapName, defaultMode: 0o444 } }],
      containers: [{
        name: 'snapshot',
        image,
        command: ['/bin/sh', `/scripts/${SCRIPT_FILE}`],
        ...(hook ? { args: [...hook.command] } : {}),
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

    this.node.addValidation({
      validate: () => {
        const errors = retentionScheduleProblems({ ...props, keep: this.keep }, 'snapshot');
        const problem = imageProblem(image);
        if (problem) errors.push(problem);
        if (hook) {
          const containers = workloadContainers(workload);
          if (!containers.includes(hook.container)) {
            errors.push(`hook container '${hook.container}' is not a container of StatefulWorkload '${workload.name}' (it has: ${containers.join(', ')})`);
          }
        }
        return errors;
      },
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

function workloadContainers(workload: StatefulWorkload): string[] {
  const spec = workload.statefulSet.toJson().spec?.template?.spec;
  return (spec?.containers ?? []).map((c: { name: string }) => c.name);
}

/** Keys of SnapshotScheduleProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const SNAPSHOT_SCHEDULE_PROPS = propNames<SnapshotScheduleProps>({ target: true, snapshotClass: true, schedule: true, keep: true, templates: true, name: true, timeZone: true, startingDeadlineSeconds: true, activeDeadlineSeconds: true, hook: true, image: true, suspend: true });
