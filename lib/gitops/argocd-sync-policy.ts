import type { ManifestObject } from '../checks';
import type { IConstruct } from 'constructs';
import { propsError } from '../private/errors';

/** One `spec.ignoreDifferences` entry of an Argo CD Application. */
export interface IgnoreDifference {
  /** API group, `''` for the core group. */
  readonly group: string;
  /** Kind of the objects whose fields are ignored. */
  readonly kind: string;
  /** jq paths of the fields to ignore, e.g. `.spec.data[]?.remoteRef.conversionStrategy`. */
  readonly jqPathExpressions: readonly string[];
}

/** How Argo CD syncs an Application. */
export interface ArgoCdSyncOptions {
  /** Sync on every git change without a human pressing Sync. @default true */
  readonly automated?: boolean;
  /**
   * Delete objects that disappear from git. Claims, snapshots, StatefulSets with claim templates and the
   * Namespaces holding them carry `Prune=false,Delete=false`, which overrides this per object.
   * @default true
   */
  readonly prune?: boolean;
  /** Revert changes made to the cluster by hand. @default true */
  readonly selfHeal?: boolean;
  /**
   * Apply with server-side apply (`ServerSideApply=true`): field ownership is tracked by the API server, and
   * objects too large for the `last-applied-configuration` annotation still apply.
   * @default false
   */
  readonly serverSideApply?: boolean;
  /**
   * Let Argo CD create the destination namespace (`CreateNamespace=true`). The reference render already contains
   * its Namespaces (wave 0, with Pod Security labels), so this is only for a destination namespace it does not.
   * Requires `destinationNamespace`.
   * @default false
   */
  readonly createNamespace?: boolean;
  /** Retries of a failed sync, with exponential backoff from 10 s to 3 min (CRDs installed late, webhooks starting). @default 5 */
  readonly retryLimit?: number;
  /**
   * Differences Argo CD should not report. Only for fields the cluster defaults that the render cannot set for
   * every version of the operator; compute them from the render with `driftAllowances`.
   * @default none
   */
  readonly ignoreDifferences?: readonly IgnoreDifference[];
}

/**
 * The `ignoreDifferences` entries a render still needs. Every drift we can fix at the source is fixed there
 * (volumeClaimTemplates carry apiVersion/kind; claims, Services and StatefulSets list their defaulted fields in
 * maps, which Argo CD's three-way diff ignores). What remains: external-secrets defaults
 * `conversionStrategy`, `decodingStrategy` and `metadataPolicy` inside the `spec.data` list (external-secrets
 * #6797), and list items are compared whole, so the live object always differs. Setting the fields in the
 * manifest instead would break against operator versions without them.
 */
export function driftAllowances(objects: readonly ManifestObject[]): IgnoreDifference[] {
  const out: IgnoreDifference[] = [];
  if (objects.some((o) => o.kind === 'ExternalSecret' && o.apiVersion.startsWith('external-secrets.io/'))) {
    out.push({
      group: 'external-secrets.io',
      kind: 'ExternalSecret',
      jqPathExpressions: ['conversionStrategy', 'decodingStrategy', 'metadataPolicy'].map((f) => `.spec.data[]?.remoteRef.${f}`),
    });
  }
  return out;
}

/** `spec.syncPolicy` and `spec.ignoreDifferences` of an Application for these options; errors name `scope` as a `kind`. */
export function syncSpec(options: ArgoCdSyncOptions, destinationNamespace: string | undefined, scope: IConstruct, kind: string): Record<string, unknown> {
  if (options.createNamespace && !destinationNamespace) {
    throw propsError(scope, kind, 'createNamespace needs destinationNamespace (Argo CD creates only the destination namespace).');
  }
  const retryLimit = options.retryLimit ?? 5;
  if (!Number.isInteger(retryLimit) || retryLimit < 0) {
    throw propsError(scope, kind, `retryLimit ${retryLimit} must be a whole number ≥ 0, e.g. 5.`);
  }
  const ignore = options.ignoreDifferences ?? [];
  const syncOptions = [
    // Prune only after every wave is healthy: a renamed object's predecessor goes once its successor is up.
    'PruneLast=true',
    ...(options.createNamespace ? ['CreateNamespace=true'] : []),
    ...(options.serverSideApply ? ['ServerSideApply=true'] : []),
    ...(ignore.length ? ['RespectIgnoreDifferences=true'] : []),
  ];
  return {
    syncPolicy: {
      ...(options.automated ?? true ? { automated: { prune: options.prune ?? true, selfHeal: options.selfHeal ?? true } } : {}),
      syncOptions,
      retry: { limit: retryLimit, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    },
    ...(ignore.length ? { ignoreDifferences: ignore.map((d) => ({ group: d.group, kind: d.kind, jqPathExpressions: [...d.jqPathExpressions] })) } : {}),
  };
}
