import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { Profile } from '../profiles';
import { NetworkFlows, WorkloadIdentity } from '../stateful';

/** The namespaced RBAC objects Patroni runs with. */
export interface PatroniRbac {
  /** `<name>-patroni`, its token mounted in the database pods only. */
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** DCS ConfigMaps and the cluster's own pods, in the database namespace. */
  readonly role: k8s.KubeRole;
  /** Binds the Role to the ServiceAccount. */
  readonly roleBinding: k8s.KubeRoleBinding;
}

/** Name of Patroni's ServiceAccount, Role and RoleBinding. */
export function patroniAccountName(identity: WorkloadIdentity): string {
  return `${identity.name}-patroni`;
}

/**
 * Patroni reads and writes its DCS objects and labels its own pods; nothing else, and only in the database's
 * namespace (no pods/exec, no Secrets, no Endpoints or Services). In a default-deny namespace it must also reach
 * the API server, which holds its leader lock.
 */
export function createPatroniRbac(scope: Construct, identity: WorkloadIdentity, replicas: number, profile: Profile): PatroniRbac {
  const accountName = patroniAccountName(identity);
  const metadata = () => ({ name: accountName, namespace: identity.namespace, labels: { ...identity.selectorLabels } });
  const serviceAccount = new k8s.KubeServiceAccount(scope, 'PatroniServiceAccount', { metadata: metadata(), automountServiceAccountToken: false });
  const dcsObjects = ['config', 'leader', 'sync', 'failover'].map((k) => `${identity.name}-${k}`);
  const role = new k8s.KubeRole(scope, 'PatroniRole', {
    metadata: metadata(),
    rules: [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: dcsObjects, verbs: ['update', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: Array.from({ length: replicas }, (_, i) => identity.podName(i)), verbs: ['patch', 'update'] },
    ],
  });
  const roleBinding = new k8s.KubeRoleBinding(scope, 'PatroniRoleBinding', {
    metadata: metadata(),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: accountName },
    subjects: [{ kind: 'ServiceAccount', name: accountName, namespace: identity.namespace }],
  });
  NetworkFlows.of(scope).reachApiServer({ namespace: identity.namespace, podSelector: { ...identity.selectorLabels } }, profile.network);
  return { serviceAccount, role, roleBinding };
}
