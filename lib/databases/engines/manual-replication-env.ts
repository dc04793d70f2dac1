import { k8s } from '../../k8s';
import { REPLICATION_USER } from '../database-roles';
import type { EngineContext } from './engine-driver';

/**
 * Env every engine's scripts share in `HighAvailability.manual()`: who the pod is, where the configuration and
 * Secrets are, and how a replica reaches the primary (ordinal 0).
 */
export function manualReplicationEnv(context: EngineContext): k8s.EnvVar[] {
  const { identity } = context;
  // The ordinal from the controller's label where the version sets it; the scripts fall back to the pod name's suffix elsewhere.
  const podIndex = identity.podIndexEnv('POD_INDEX', context.profile.kubeVersion);
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ...(podIndex ? [podIndex] : []),
    context.credentials.envVar('DB_SUPERUSER', 'username'),
    { name: 'DB_CONFIG_DIR', value: context.configDir },
    { name: 'DB_SECRETS_DIR', value: context.secretsDir },
    { name: 'PRIMARY_HOST', value: identity.podHost(0) },
    { name: 'PRIMARY_PORT', value: String(context.engine.port) },
    { name: 'REPLICATION_USER', value: REPLICATION_USER },
  ];
}

/** `REPLICA_HOSTS`: the replicas' DNS names, which the primary's bootstrap checks before it initializes an empty database. */
export function replicaHostsEnv(context: EngineContext): k8s.EnvVar {
  return { name: 'REPLICA_HOSTS', value: context.identity.podHosts(context.replicas).slice(1).join(' ') };
}
