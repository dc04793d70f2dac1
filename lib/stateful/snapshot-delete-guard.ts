import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SNAPSHOT_API_GROUP } from '../storage';
import { MANAGED_BY_LABELS } from '../names';

/** Props of `SnapshotDeleteGuard`. */
export interface SnapshotDeleteGuardProps {
  /** Name of the schedule; the policy is `<namespace>-<name>-own-snapshots` (cluster-scoped names are global). */
  readonly name: string;
  /** Namespace of the schedule and its snapshots. */
  readonly namespace: string;
  /** The ServiceAccount the schedule's job runs as. */
  readonly serviceAccount: string;
  /** Label every snapshot of the schedule carries... */
  readonly label: string;
  /** ...with this value. */
  readonly value: string;
}

/**
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA in 1.30) and its binding that let one
 * ServiceAccount create and delete only VolumeSnapshots carrying `label: value` in its namespace. RBAC
 * grants by verb and resource name, never by label, so this is what keeps a compromised snapshot job
 * from deleting the snapshots of other schedules, manual ones and pre-upgrade ones.
 */
export class SnapshotDeleteGuard extends Construct {
  /** Name of the policy and of its binding. */
  public readonly policyName: string;

  constructor(scope: Construct, id: string, props: SnapshotDeleteGuardProps) {
    super(scope, id);
    this.policyName = `${props.namespace}-${props.name}-own-snapshots`;
    const user = `system:serviceaccount:${props.namespace}:${props.serviceAccount}`;
    const carriesLabel = (object: string) =>
      `has(${object}.metadata.labels) && '${props.label}' in ${object}.metadata.labels && ${object}.metadata.labels['${props.label}'] == '${props.value}'`;
    const metadata = { name: this.policyName, labels: { ...MANAGED_BY_LABELS } };
    new ApiObject(this, 'Policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata,
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } },
          resourceRules: [{ apiGroups: [SNAPSHOT_API_GROUP], apiVersions: ['*'], operations: ['CREATE', 'DELETE'], resources: ['volumesnapshots'] }],
        },
        matchConditions: [{ name: 'snapshot-schedule-job', expression: `request.userInfo.username == '${user}'` }],
        validations: [{
          expression: `request.operation == 'DELETE' ? (${carriesLabel('oldObject')}) : (${carriesLabel('object')})`,
          message: `${user} may create and delete only VolumeSnapshots labelled ${props.label}=${props.value}`,
        }],
      },
    });
    new ApiObject(this, 'Binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata,
      spec: { policyName: this.policyName, validationActions: ['Deny'] },
    });
  }
}
