import {
  Credentials, DatabaseEngine, Profile, StatefulDatabase, StatefulDatabaseProps, StorageClassPack, UpdateStrategy,
} from '../../lib';
import { validateConstructs } from '../../lib/gitops';
import { newChart } from '../support/synth';

function attempt(extra: Partial<StatefulDatabaseProps>, pack?: (p: StorageClassPack) => StatefulDatabaseProps['storage']) {
  const { chart } = newChart(Profile.kind());
  const storagePack = new StorageClassPack(chart, 'storage');
  return () => new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'), replicas: 3, namespace: 'ml-db',
    storage: pack ? pack(storagePack) : { tier: storagePack.fast, size: '20Gi' },
    credentials: Credentials.existingSecret('postgres-credentials'),
    ...extra,
  });
}

describe('StatefulDatabase: bad input fails with a clear message', () => {
  test('replicas < 1', () => {
    expect(attempt({ replicas: 0 })).toThrow(
      "StatefulDatabase 'test/postgres': replicas must be a whole number ≥ 1 (1 primary, the rest replicas), got 0.");
  });

  test('synchronous replicas ≥ replicas', () => {
    expect(attempt({ synchronousReplicas: 3 })).toThrow(
      "StatefulDatabase 'test/postgres': synchronousReplicas 3 must be a whole number below replicas (3): only the 2 replica(s) can confirm commits, " +
      'and waiting for more would block every write. Lower synchronousReplicas or raise replicas to at least 4.');
  });

  test('PostgreSQL synchronous replicas need a spare standby: replicas ≥ synchronousReplicas + 2', () => {
    expect(attempt({ replicas: 2, synchronousReplicas: 1 })).toThrow(
      "StatefulDatabase 'test/postgres': synchronousReplicas 1 needs replicas ≥ 3, got 2: PostgreSQL waits for 1 standby confirmation(s) without a timeout, " +
      'so with no spare standby every restart of a synchronous one (a rollout, a node drain) blocks all commits. ' +
      'Raise replicas to 3, or lower synchronousReplicas to 0 (asynchronous replication).');
    expect(attempt({ replicas: 4, synchronousReplicas: 3 })).toThrow(
      "StatefulDatabase 'test/postgres': synchronousReplicas 3 needs replicas ≥ 5, got 4: PostgreSQL waits for 3 standby confirmation(s) without a timeout, " +
      'so with no spare standby every restart of a synchronous one (a rollout, a node drain) blocks all commits. ' +
      'Raise replicas to 5, or lower synchronousReplicas to 2.');
    expect(attempt({ replicas: 3, synchronousReplicas: 1 })).not.toThrow();
    // MySQL / MariaDB semi-sync falls back to asynchronous after its timeout: one standby is allowed.
    expect(attempt({ engine: DatabaseEngine.mariadb('11.4.4'), replicas: 2, synchronousReplicas: 1 })).not.toThrow();
  });

  test('recoverPrimaryFrom names a replica ordinal; it and allowEmptyPrimary are PostgreSQL-only and exclusive', () => {
    for (const ordinal of [0, 3, 1.5]) {
      expect(attempt({ recoverPrimaryFrom: ordinal })).toThrow(
        `StatefulDatabase 'test/postgres': recoverPrimaryFrom ${ordinal} must be the ordinal of a replica, 1..2: the most advanced replica, which the empty primary clones and promotes.`);
    }
    expect(attempt({ recoverPrimaryFrom: 1, allowEmptyPrimary: true })).toThrow(
      "StatefulDatabase 'test/postgres': recoverPrimaryFrom and allowEmptyPrimary contradict each other (recover the lost primary's data from a replica, " +
      'or discard it and start empty): set one of them.');
    // MySQL has the empty-primary guard too (allowEmptyPrimary), but no scripted recovery from a replica.
    expect(attempt({ engine: DatabaseEngine.mysql('8.4.3'), allowEmptyPrimary: true })).not.toThrow();
    expect(attempt({ engine: DatabaseEngine.mysql('8.4.3'), recoverPrimaryFrom: 1 })).toThrow(
      "StatefulDatabase 'test/postgres': recoverPrimaryFrom applies to PostgreSQL only; remove it for MySQL 8.4.3 and promote a replica by hand (docs/database-operations.md).");
    expect(attempt({ maxReadyLagSeconds: 10 })).toThrow(
      "StatefulDatabase 'test/postgres': maxReadyLagSeconds applies to MySQL/MariaDB; PostgreSQL bounds replay lag in bytes with maxReadyLag.");
  });

  test('MariaDB semi-sync waits for one replica only', () => {
    expect(attempt({ engine: DatabaseEngine.mariadb('11.4.4'), synchronousReplicas: 2 })).toThrow(
      "StatefulDatabase 'test/postgres': synchronousReplicas 2: MariaDB semi-synchronous replication waits for exactly one replica; use 1 (or 0).");
  });

  test('a size that is not a Kubernetes quantity suggests the binary unit', () => {
    expect(attempt({}, (p) => ({ tier: p.fast, size: '10GB' }))).toThrow(
      "Invalid storage size of StatefulDatabase 'test/postgres' '10GB': not a Kubernetes quantity (e.g. '20Gi', '512Mi', '500m'). Did you mean '10Gi'?");
  });

  test('a name too long for a StatefulSet', () => {
    const name = 'a'.repeat(53);
    expect(attempt({ name })).toThrow(
      `StatefulWorkload 'test/postgres/Workload': invalid StatefulSet name '${name}' (53 characters): use a DNS-1123 label of at most 52 characters ` +
      '(pods carry a controller-revision-hash label of the name plus 11 characters, and labels are limited to 63).');
  });

  test('a tier missing from the pack', () => {
    const { chart } = newChart(Profile.kind());
    const pack = new StorageClassPack(chart, 'storage', { tiers: ['standard'] });
    expect(() => pack.fast).toThrow("StorageClassPack 'test/storage' has no 'fast' tier: it was created with tiers: [standard]; add 'fast' to its tiers.");
  });

  test('a ReadWriteMany (network file system) tier', () => {
    const { chart } = newChart(Profile.eks({ efsFileSystemId: 'fs-0123456789abcdef0' }));
    const pack = new StorageClassPack(chart, 'storage');
    expect(() => new StatefulDatabase(chart, 'postgres', {
      engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', storage: { tier: pack.shared, size: '20Gi' },
      credentials: Credentials.existingSecret('postgres-credentials'),
    })).toThrow("StatefulDatabase 'test/postgres': storage tier 'shared' is ReadWriteMany (a network file system); " +
      'a database needs a ReadWriteOnce block-storage tier such as pack.fast or pack.standard.');
  });

  test('a tier from a pack of another profile', () => {
    const other = newChart(Profile.gke());
    const gkePack = new StorageClassPack(other.chart, 'storage');
    expect(attempt({}, () => ({ tier: gkePack.fast, size: '20Gi' }))).not.toThrow(); // the tier's profile is then the one used
    expect(attempt({ profile: Profile.kind() }, () => ({ tier: gkePack.fast, size: '20Gi' }))).toThrow(
      "StatefulDatabase 'test/postgres': storage tier 'fast' belongs to a StorageClassPack of profile 'gke', not 'kind': take the tier from the pack built for this profile.");
  });

  test.each([
    [DatabaseEngine.postgres('9.6'), "unsupported PostgreSQL version '9.6': use a full release of a supported line (14, 15, 16, 17), e.g. DatabaseEngine.postgres('16.4')."],
    [DatabaseEngine.postgres('16'), "PostgreSQL version '16' is not a pinned release: use a full release of a supported line (14, 15, 16, 17), e.g. DatabaseEngine.postgres('16.4')."],
    [DatabaseEngine.postgres('latest'), "PostgreSQL version 'latest' is not a pinned release: use a full release of a supported line (14, 15, 16, 17), e.g. DatabaseEngine.postgres('16.4')."],
    [DatabaseEngine.mysql('5.7.44'), "unsupported MySQL version '5.7.44': use a full release of a supported line (8.0.30+, 8.4), e.g. DatabaseEngine.mysql('8.4.3')."],
    [DatabaseEngine.mysql('8.0.25'), "unsupported MySQL version '8.0.25': use a full release of a supported line (8.0.30+, 8.4), e.g. DatabaseEngine.mysql('8.4.3')."],
    [DatabaseEngine.mysql('8.4'), "MySQL version '8.4' is not a pinned release: use a full release of a supported line (8.0.30+, 8.4), e.g. DatabaseEngine.mysql('8.4.3')."],
    [DatabaseEngine.mariadb('10.5.27'), "unsupported MariaDB version '10.5.27': use a full release of a supported line (10.6, 10.11, 11.4), e.g. DatabaseEngine.mariadb('11.4.4')."],
  ])('unsupported engine version %#', (engine, message) => {
    expect(attempt({ engine })).toThrow(`StatefulDatabase 'test/postgres': ${message}`);
  });

  test('maxConnections below 10', () => {
    expect(attempt({ maxConnections: 5 })).toThrow("StatefulDatabase 'test/postgres': maxConnections must be a whole number ≥ 10, got 5.");
  });

  test('a canary partition beyond the replicas fails validation at synth', () => {
    const { chart } = newChart(Profile.kind());
    const pack = new StorageClassPack(chart, 'storage');
    new StatefulDatabase(chart, 'postgres', {
      engine: DatabaseEngine.postgres('16.4'), replicas: 3, namespace: 'ml-db', storage: { tier: pack.fast, size: '20Gi' },
      credentials: Credentials.existingSecret('postgres-credentials'), updateStrategy: UpdateStrategy.rollingUpdate({ partition: 4 }),
    });
    expect(validateConstructs(chart)).toEqual(['[test/postgres/Workload] partition 4 must be between 0 and replicas (3)']);
  });
});
