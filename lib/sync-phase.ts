import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/** Argo CD reads the wave of every object it syncs from this annotation (an integer, as a string). */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Comma-separated per-object sync options, e.g. `Prune=false,Delete=false`. */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/**
 * A step of the platform's start-up order. Argo CD applies one wave at a time and waits for it to be healthy
 * before the next, so each phase only starts once what it needs is up. Waves are spaced by 10 so users can slot
 * their own steps in between with `SyncPhase.custom`.
 */
export class SyncPhase {
  /** Namespaces, StorageClasses, VolumeSnapshotClasses and other cluster-wide prerequisites. */
  public static readonly FOUNDATION = new SyncPhase('foundation', 0);
  /** ExternalSecrets, ServiceAccounts and RBAC: what pods need before they can start. */
  public static readonly CREDENTIALS = new SyncPhase('credentials', 10);
  /** Databases, object stores, caches: StatefulSets holding data, with their claims and Services. */
  public static readonly DATA = new SyncPhase('data', 20);
  /** Schema migrations and other run-to-completion Jobs that need the data tier and gate the servers. */
  public static readonly MIGRATIONS = new SyncPhase('migrations', 30);
  /** Servers, trainers, CronJobs, ingress: everything that uses the tiers above. */
  public static readonly WORKLOADS = new SyncPhase('workloads', 40);

  /** Every built-in phase, in sync order. */
  public static readonly ALL: readonly SyncPhase[] = [
    SyncPhase.FOUNDATION, SyncPhase.CREDENTIALS, SyncPhase.DATA, SyncPhase.MIGRATIONS, SyncPhase.WORKLOADS,
  ];

  /** A phase of your own, e.g. `SyncPhase.custom('warm-cache', 25)` between data and migrations. */
  public static custom(name: string, wave: number): SyncPhase {
    if (!Number.isInteger(wave)) {
      throw new Error(`SyncPhase '${name}': wave ${wave} is not an integer; Argo CD sync waves are integers (e.g. 25).`);
    }
    return new SyncPhase(name, wave);
  }

  private constructor(
    /** Name used in messages and docs. */
    public readonly name: string,
    /** The `argocd.argoproj.io/sync-wave` value. */
    public readonly wave: number,
  ) {}

  public toString(): string {
    return `${this.name} (wave ${this.wave})`;
  }
}

const phaseOfScope = new WeakMap<IConstruct, SyncPhase>();
const protectedScopes = new WeakSet<IConstruct>();

/**
 * Construct-level hints for the render-time sync policy (see `applySyncPolicy`). Objects are classified by kind
 * by default; a construct that knows better (a trainer that is a StatefulSet, a database behind a Deployment)
 * assigns its phase here and every object under it follows.
 */
export class SyncHints {
  /** Every object under `scope` syncs in `phase`, unless a nearer scope or the object itself says otherwise. */
  public static assignPhase(scope: IConstruct, phase: SyncPhase): void {
    phaseOfScope.set(scope, phase);
  }

  /** Every object under `scope` holds data: Argo CD must never prune or delete it (`Prune=false,Delete=false`). */
  public static protectData(scope: IConstruct): void {
    protectedScopes.add(scope);
  }

  /**
   * Writes the hints of `root`'s tree onto its ApiObjects (before `toJson`): the nearest assigned phase becomes
   * the object's sync-wave annotation, unless it already has one; protected scopes get the data sync options.
   */
  public static applyTo(root: IConstruct): void {
    for (const construct of root.node.findAll()) {
      if (!ApiObject.isApiObject(construct)) continue;
      let phase: SyncPhase | undefined;
      let keepData = false;
      for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
        phase ??= phaseOfScope.get(c);
        keepData ||= protectedScopes.has(c);
        if (phase && keepData) break;
      }
      if (!phase && !keepData) continue;
      const metadata = construct.metadata;
      const annotations: Record<string, string> = metadata.toJson().annotations ?? {};
      if (phase && annotations[SYNC_WAVE_ANNOTATION] === undefined) {
        metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(phase.wave));
      }
      if (keepData) metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, withDataProtection(annotations[SYNC_OPTIONS_ANNOTATION]));
    }
  }
}

/** Adds `Prune=false` and `Delete=false` to a sync-options value, keeping any explicit Prune/Delete choice. */
export function withDataProtection(current: string | undefined): string {
  const options = (current ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const has = (key: string) => options.some((o) => o.split('=')[0] === key);
  if (!has('Prune')) options.push('Prune=false');
  if (!has('Delete')) options.push('Delete=false');
  return options.join(',');
}
