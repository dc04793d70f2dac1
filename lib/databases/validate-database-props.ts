import type { IConstruct } from 'constructs';
import { Profile } from '../profiles';
import { propsError } from '../private/errors';
import { tierProfileProblem } from '../stateful';
import { Quantity } from '../storage/quantity';
import type { EngineDriver } from './engines';
import { HighAvailability } from './high-availability';
import { engineParameterProblems } from './server-config';
import type { StatefulDatabaseProps } from './stateful-database-props';

/** The props with their defaults applied, as the rules see them. */
export interface ResolvedDatabaseProps {
  readonly props: StatefulDatabaseProps;
  /** The engine's driver: which props and modes it supports. */
  readonly driver: EngineDriver;
  /** `PostgreSQL 16.4` */
  readonly title: string;
  readonly replicas: number;
  readonly synchronousReplicas: number;
  readonly highAvailability: HighAvailability;
  readonly profile: Profile;
  /** `StatefulDatabase '<path>'`, for the messages of helpers that take one (Quantity.parse). */
  readonly where: string;
}

/** One check of StatefulDatabaseProps: the problem (without the construct prefix), or undefined. */
interface DatabasePropsRule {
  /** Whether the rule concerns this database at all. @default - always */
  readonly applies?: (db: ResolvedDatabaseProps) => boolean;
  readonly problem: (db: ResolvedDatabaseProps) => string | undefined;
}

const patroni = (db: ResolvedDatabaseProps) => db.highAvailability.mode === 'patroni';
const patroniTiming = (db: ResolvedDatabaseProps) => {
  const options = db.highAvailability.patroniOptions;
  return { ttl: options.ttl ?? 20, loopWait: options.loopWait ?? 5, retryTimeout: options.retryTimeout ?? 5 };
};
/** Spilo 3.2, the default Patroni image, ships these PostgreSQL majors. */
const DEFAULT_PATRONI_IMAGE_LINES = ['14', '15', '16'];

/**
 * The rules, in the order they are checked: input that makes names, config or sizes meaningless, each naming the
 * prop and the fix. Engine differences come from the driver's `supports`, never from the family's name.
 */
const RULES: readonly DatabasePropsRule[] = [
  { problem: (db) => db.props.engine.versionProblem() },
  {
    applies: (db) => !Number.isInteger(db.replicas) || db.replicas < 1,
    problem: (db) => `replicas must be a whole number ≥ 1 (1 primary, the rest replicas), got ${db.props.replicas}`,
  },
  {
    applies: (db) => !Number.isInteger(db.synchronousReplicas) || db.synchronousReplicas < 0,
    problem: (db) => `synchronousReplicas ${db.props.synchronousReplicas} must be a whole number ≥ 0 (0: asynchronous replication); set 0 or a positive count`,
  },
  {
    applies: (db) => db.synchronousReplicas >= db.replicas,
    problem: (db) => `synchronousReplicas ${db.props.synchronousReplicas} must be a whole number below replicas (${db.replicas}): ` +
      `only the ${db.replicas - 1} replica(s) can confirm commits, and waiting for more would block every write. ` +
      `Lower synchronousReplicas or raise replicas to at least ${db.synchronousReplicas + 1}`,
  },
  {
    applies: (db) => db.driver.supports.synchronousWaitsForever && db.synchronousReplicas > 0 && db.replicas < db.synchronousReplicas + 2,
    problem: ({ synchronousReplicas: sync, replicas, driver }) => `synchronousReplicas ${sync} needs replicas ≥ ${sync + 2}, got ${replicas}: ` +
      `${driver.title} waits for ${sync} standby confirmation(s) without a timeout, so with no spare standby every restart ` +
      `of a synchronous one (a rollout, a node drain) blocks all commits. Raise replicas to ${sync + 2}, or lower synchronousReplicas ` +
      `to ${Math.max(0, replicas - 2)}${replicas - 2 <= 0 ? ' (asynchronous replication)' : ''}`,
  },
  {
    applies: (db) => !db.driver.supports.recoverPrimaryFrom && db.props.recoverPrimaryFrom !== undefined,
    problem: (db) => `recoverPrimaryFrom applies to PostgreSQL only; remove it for ${db.title} and promote a replica by hand (docs/database-operations.md)`,
  },
  {
    applies: (db) => db.driver.supports.readyLag === 'maxReadyLag' && db.props.maxReadyLagSeconds !== undefined,
    problem: (db) => `maxReadyLagSeconds applies to MySQL/MariaDB; ${db.driver.title} bounds replay lag in bytes with maxReadyLag`,
  },
  {
    applies: (db) => db.driver.supports.readyLag === 'maxReadyLagSeconds' && db.props.maxReadyLag !== undefined,
    problem: (db) => `maxReadyLag (bytes) applies to PostgreSQL; bound ${db.title} replicas with maxReadyLagSeconds`,
  },
  {
    applies: (db) => db.props.maxReadyLagSeconds !== undefined && (!Number.isInteger(db.props.maxReadyLagSeconds) || db.props.maxReadyLagSeconds < 1),
    problem: (db) => `maxReadyLagSeconds must be a whole number of seconds ≥ 1, got ${db.props.maxReadyLagSeconds}`,
  },
  {
    applies: ({ props, replicas }) => props.recoverPrimaryFrom !== undefined &&
      (!Number.isInteger(props.recoverPrimaryFrom) || props.recoverPrimaryFrom < 1 || props.recoverPrimaryFrom >= replicas),
    problem: (db) => `recoverPrimaryFrom ${db.props.recoverPrimaryFrom} must be the ordinal of a replica, 1..${db.replicas - 1}: ` +
      'the most advanced replica, which the empty primary clones and promotes',
  },
  {
    applies: (db) => db.props.recoverPrimaryFrom !== undefined && !!db.props.allowEmptyPrimary,
    problem: () => 'recoverPrimaryFrom and allowEmptyPrimary contradict each other (recover the lost primary\'s data from a replica, ' +
      'or discard it and start empty): set one of them',
  },
  {
    applies: (db) => !!db.props.tls && !db.driver.supports.tls,
    problem: (db) => `tls is supported for PostgreSQL only; ${db.title} would still accept and replicate in plaintext. ` +
      'Remove tls (and keep the database on a default-deny network), or use DatabaseEngine.postgres(...)',
  },
  {
    applies: (db) => patroni(db) && !db.driver.supports.haModes.includes('patroni'),
    problem: (db) => `HighAvailability.patroni() is PostgreSQL's automatic failover; ${db.title} has none: ` +
      'use HighAvailability.manual() (the default) and fail over by the runbook in docs/database-operations.md',
  },
  {
    applies: (db) => patroni(db) && (db.props.allowEmptyPrimary !== undefined || db.props.recoverPrimaryFrom !== undefined),
    problem: () => 'allowEmptyPrimary and recoverPrimaryFrom belong to HighAvailability.manual(); with Patroni a lost leader ' +
      'is replaced by a replica and re-cloned by Patroni: remove them',
  },
  {
    applies: (db) => !!db.highAvailability.patroniOptions.strictSynchronous && db.synchronousReplicas === 0,
    problem: () => 'strictSynchronous needs synchronousReplicas ≥ 1 (there is no synchronous standby to wait for): set synchronousReplicas or drop strictSynchronous',
  },
  {
    applies: (db) => {
      const { ttl, loopWait, retryTimeout } = patroniTiming(db);
      return patroni(db) && loopWait + 2 * retryTimeout > ttl;
    },
    problem: (db) => {
      const { ttl, loopWait, retryTimeout } = patroniTiming(db);
      return `Patroni ttl ${ttl} must be at least loopWait + 2 × retryTimeout (${loopWait + 2 * retryTimeout}): ` +
        'a leader could lose its lock while still retrying. Raise ttl or lower loopWait/retryTimeout';
    },
  },
  {
    applies: (db) => patroni(db) && !db.highAvailability.patroniOptions.image && !DEFAULT_PATRONI_IMAGE_LINES.includes(db.props.engine.line),
    problem: (db) => `no default Patroni image for ${db.title} (Spilo 3.2 ships PostgreSQL 14–16): ` +
      "pass HighAvailability.patroni({ image: '<registry>/<image>:<tag>' }) with PostgreSQL and Patroni, pinned by tag",
  },
  {
    applies: (db) => db.driver.supports.maxSynchronousReplicas !== undefined && db.synchronousReplicas > db.driver.supports.maxSynchronousReplicas.count,
    problem: (db) => `synchronousReplicas ${db.synchronousReplicas}: ${db.driver.supports.maxSynchronousReplicas!.why}`,
  },
  {
    problem: (db) => {
      // Quantity throws its own message, naming the construct.
      Quantity.parse(db.props.storage.size, `storage size of ${db.where}`);
      return undefined;
    },
  },
  {
    applies: (db) => db.props.storage.tier.accessMode !== 'ReadWriteOnce',
    problem: ({ props }) => `storage tier '${props.storage.tier.name}' is ${props.storage.tier.accessMode} (a network file system); ` +
      'a database needs a ReadWriteOnce block-storage tier such as pack.fast or pack.standard',
  },
  { problem: (db) => tierProfileProblem(db.props.storage.tier, db.profile, 'storage tier')?.replace(/\.$/, '') },
  {
    applies: (db) => db.props.maxConnections !== undefined && (!Number.isInteger(db.props.maxConnections) || db.props.maxConnections < 10),
    problem: (db) => `maxConnections must be a whole number ≥ 10, got ${db.props.maxConnections}`,
  },
  {
    problem: (db) => {
      const managed = engineParameterProblems(db.driver, db.props.parameters ?? {});
      return managed.length ? managed.join('; ') : undefined;
    },
  },
  {
    applies: (db) => !!db.props.restoreFrom && db.replicas > 1,
    problem: (db) => `restoreFrom would copy '${db.props.restoreFrom!.name}' into all ${db.replicas} data claims, and a replica holding a copy ` +
      "of the primary's data would start as a second primary. Restore only ordinal 0 with RestoredClaim.forWorkload(scope, id, " +
      "{ target: db, template: 'data', snapshots: [SnapshotRef.named(...)] }) and let the replicas clone it, or restore with replicas: 1 and scale up after",
  },
];

/**
 * Checks `db` against every rule, in order, and throws the first problem: these props are what the names, the
 * configuration and the sizes are built from (lib/private/errors.ts: throw in the constructor).
 */
export function validateDatabaseProps(scope: IConstruct, db: ResolvedDatabaseProps): void {
  for (const rule of RULES) {
    if (rule.applies && !rule.applies(db)) continue;
    const problem = rule.problem(db);
    if (problem) throw propsError(scope, 'StatefulDatabase', `${problem}.`);
  }
}
