/**
 * Catalogue, part 2: bad props as a user writes them, through the public synth entry (`synthesize`, what
 * `npm run synth` runs) into a temporary outdir holding a previous render. Every refused case exits 1, prints each
 * error on one line naming the construct path, the bad value and the fix, prints no stack trace, and leaves the
 * outdir byte-identical; accepted cases exit 0.
 */
import { App, Chart } from 'cdk8s';
import {
  ArtifactStore, BackupDestination, Credentials, DatabaseEngine, FeatureStore, LogicalBackup, MlflowCache, MlflowCluster, ObjectStore,
  Profile, RedisMode, Registry, StatefulDatabase, StorageClassPack, WorkloadNamespace,
} from '../../../lib';
import { runSynth } from './support';

interface Base { readonly app: App; readonly chart: Chart; readonly pack: StorageClassPack; readonly profile: Profile }

function base(app: App, profile: Profile): Base {
  profile.attachTo(app);
  const chart = new Chart(app, 'platform');
  for (const ns of ['ml-db', 'ml-tracking', 'ml-features']) new WorkloadNamespace(chart, ns, { name: ns });
  return { app, chart, pack: new StorageClassPack(chart, 'storage', { profile }), profile };
}

function database(b: Base, props: Record<string, unknown> = {}, id = 'postgres', chart: Chart = b.chart): StatefulDatabase {
  return new StatefulDatabase(chart, id, {
    engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', replicas: 3, synchronousReplicas: 1,
    storage: { tier: b.pack.fast, size: '2Gi' }, credentials: Credentials.existingSecret('postgres-credentials'), ...props,
  } as any);
}

function objectStore(b: Base, props: Record<string, unknown> = {}): ObjectStore {
  return new ObjectStore(b.chart, 'minio', {
    namespace: 'ml-tracking', storage: { tier: b.pack.standard, size: '2Gi' }, buckets: ['ml-artifacts'],
    credentials: Credentials.existingSecret('minio-root'), ...props,
  } as any);
}

function mlflow(b: Base, db: StatefulDatabase, store: ObjectStore, props: Record<string, unknown> = {}): MlflowCluster {
  return new MlflowCluster(b.chart, 'mlflow', {
    namespace: 'ml-tracking', backend: db, artifacts: ArtifactStore.objectStore(store, 'ml-artifacts'),
    cache: MlflowCache.emptyDir('1Gi'), ...props,
  } as any);
}

function featureStore(b: Base, db: StatefulDatabase, props: Record<string, unknown> = {}, id = 'feast'): FeatureStore {
  return new FeatureStore(b.chart, id, {
    namespace: 'ml-features', project: 'ml_features',
    online: { mode: RedisMode.standalone(), storage: { tier: b.pack.iops, size: '2Gi' } },
    registry: Registry.sql(db), ...props,
  } as any);
}

/** A second App with its own profile, holding a database (for cross-App wiring). */
function otherAppDatabase(): StatefulDatabase {
  return database(base(new App(), Profile.gke()));
}

interface ConstructCase {
  readonly name: string;
  readonly build: (app: App, profile: Profile) => void;
  readonly profiles?: () => Profile[];
  readonly outcome: 'refused' | 'accepted';
  /** Words one line of the output must all contain: construct path, bad value, fix. */
  readonly words?: readonly string[];
}

const cases: ConstructCase[] = [
  // Duplicate objects from two constructs: both construct paths named.
  { name: 'two StatefulDatabases named postgres in one namespace', build: (app, p) => { const b = base(app, p); database(b); database(b, {}, 'postgres', new Chart(app, 'more')); }, outcome: 'refused', words: ['[more/postgres', 'name clash: renders StatefulSet ml-db/postgres', '[platform/postgres', 'another name or namespace'] },
  { name: "two WorkloadNamespace('ml-db')", build: (app, p) => { const b = base(app, p); new WorkloadNamespace(new Chart(app, 'extra'), 'db', { name: 'ml-db' }); database(b); }, outcome: 'refused', words: ['[extra/db', 'Namespace ml-db', '[platform/ml-db'] },
  { name: 'MLflow named like the ObjectStore (name clash)', build: (app, p) => { const b = base(app, p); const s = objectStore(b); mlflow(b, database(b), s, { name: 'minio' }); }, outcome: 'refused', words: ['[platform/mlflow', 'name clash', 'ml-tracking/minio', '[platform/minio', 'another name'] },
  { name: 'two FeatureStores named feast in one namespace', build: (app, p) => { const b = base(app, p); const db = database(b); featureStore(b, db); featureStore(b, db, { registry: Registry.sql(db, { database: 'feast2' }) }, 'feast-copy'); }, outcome: 'refused', words: ['[platform/feast-copy', 'ml-features/feast', 'already renders'] },
  { name: 'two databases with different names in one namespace', build: (app, p) => { const b = base(app, p); database(b); database(b, { name: 'postgres-analytics' }, 'analytics'); }, outcome: 'accepted' },

  // Managed settings cannot be overridden silently.
  { name: 'parameters.port', build: (app, p) => { database(base(app, p), { parameters: { port: '5433' } }); }, outcome: 'refused', words: ["StatefulDatabase 'platform/postgres'", 'parameters.port = "5433"', "Services, probes and clients use the engine's port", 'remove it'] },
  { name: 'parameters.synchronous_standby_names', build: (app, p) => { database(base(app, p), { parameters: { synchronous_standby_names: "''" } }); }, outcome: 'refused', words: ['parameters.synchronous_standby_names', "\"''\"", 'set the synchronousReplicas prop instead'] },
  { name: 'parameters.synchronous_commit', build: (app, p) => { database(base(app, p), { parameters: { synchronous_commit: 'local' } }); }, outcome: 'refused', words: ['parameters.synchronous_commit = "local"', 'synchronousReplicas'] },
  { name: 'parameters.max_connections', build: (app, p) => { database(base(app, p), { parameters: { max_connections: '500' } }); }, outcome: 'refused', words: ['parameters.max_connections = "500"', 'set the maxConnections prop instead'] },
  { name: 'parameters.wal_level', build: (app, p) => { database(base(app, p), { parameters: { wal_level: 'minimal' } }); }, outcome: 'refused', words: ['parameters.wal_level = "minimal"', 'wal_level replica'] },
  { name: 'parameters.PORT (case-insensitive)', build: (app, p) => { database(base(app, p), { parameters: { PORT: '6432' } }); }, outcome: 'refused', words: ['parameters.PORT = "6432"'] },
  { name: 'parameters.listen_addresses', build: (app, p) => { database(base(app, p), { parameters: { listen_addresses: 'localhost' } }); }, outcome: 'refused', words: ['parameters.listen_addresses = "localhost"', 'pod IP'] },
  { name: "MySQL parameters['log-bin'] ('-' and '_' alike)", build: (app, p) => { database(base(app, p), { engine: DatabaseEngine.mysql('8.4.3'), synchronousReplicas: 0, parameters: { 'log-bin': 'OFF' } }); }, outcome: 'refused', words: ["parameters.log-bin = \"OFF\"", 'binary log'] },
  { name: 'MySQL parameters.rpl_semi_sync_source_enabled', build: (app, p) => { database(base(app, p), { engine: DatabaseEngine.mysql('8.4.3'), synchronousReplicas: 0, parameters: { rpl_semi_sync_source_enabled: 'ON' } }); }, outcome: 'refused', words: ['rpl_semi_sync_source_enabled', 'synchronousReplicas'] },
  { name: 'parameters.work_mem (tuning is the user\'s)', build: (app, p) => { database(base(app, p), { parameters: { work_mem: '8MB' } }); }, outcome: 'accepted' },

  // Cross-App wiring and profiles.
  { name: 'an MLflow backend from another App', build: (app, p) => { const b = base(app, p); mlflow(b, otherAppDatabase(), objectStore(b)); }, outcome: 'refused', words: ["MlflowCluster 'platform/mlflow'", "backend 'platform/postgres' belongs to another App", 'same App'] },
  { name: 'admitting a peer from another App', build: (app, p) => { const b = base(app, p); database(b).allowFrom(otherAppDatabase() as any); }, outcome: 'refused', words: ['platform/postgres', 'belongs to another App', 'create both in the same App'] },
  { name: 'a Feast registry on a database of another App', build: (app, p) => { const b = base(app, p); featureStore(b, database(b), { registry: Registry.sql(otherAppDatabase()) }); }, outcome: 'refused', words: ['platform/postgres', 'belongs to another App', 'same App'] },
  { name: 'MLflow artifacts on an ObjectStore of another App', build: (app, p) => { const b = base(app, p); const other = base(new App(), Profile.gke()); mlflow(b, database(b), objectStore(other)); }, outcome: 'refused', words: ['belongs to another App'] },
  { name: 'a backup into an ObjectStore of another App', build: (app, p) => { const b = base(app, p); const other = base(new App(), Profile.gke()); new LogicalBackup(b.chart, 'backup', { database: database(b), destination: BackupDestination.objectStore(objectStore(other), 'ml-artifacts'), schedule: '15 1 * * *' }); }, outcome: 'refused', words: ["LogicalBackup 'platform/backup'", "backup destination 'platform/minio' belongs to another App"] },
  { name: 'a second profile attached to the App', build: (app, p) => { p.attachTo(app); Profile.gke().attachTo(app); }, outcome: 'refused', words: ["Profile 'gke' cannot attach to '<app>'", "'kind' is already attached", 'its own App'] },
  { name: 'a different profile attached to a chart under the App', build: (app, p) => { const b = base(app, p); Profile.aks().attachTo(new Chart(b.app, 'more')); }, outcome: 'refused', words: ["Profile 'aks' cannot attach to 'more'", "'kind' is already attached"] },
  { name: 'a profile attached after constructs were added', build: (_app, p) => { const other = new App(); new Chart(other, 'early'); p.attachTo(other); }, outcome: 'refused', words: ["Profile 'kind' cannot attach to '<app>' after constructs", 'right after creating the App'] },
  { name: 'the same profile attached twice', build: (app, p) => { p.attachTo(app); const b = base(app, p); database(b); }, outcome: 'accepted' },

  // One-line errors with the value and the fix.
  { name: 'synchronousReplicas -1', build: (app, p) => { database(base(app, p), { synchronousReplicas: -1 }); }, outcome: 'refused', words: ["StatefulDatabase 'platform/postgres'", 'synchronousReplicas -1', 'whole number ≥ 0', 'set 0 or a positive count'] },
  { name: 'synchronousReplicas 1.5', build: (app, p) => { database(base(app, p), { synchronousReplicas: 1.5 }); }, outcome: 'refused', words: ['synchronousReplicas 1.5', 'whole number'] },
  { name: 'synchronousReplicas equal to replicas', build: (app, p) => { database(base(app, p), { synchronousReplicas: 3 }); }, outcome: 'refused', words: ['synchronousReplicas 3', 'below replicas (3)'] },
  { name: 'replicas 0', build: (app, p) => { database(base(app, p), { replicas: 0, synchronousReplicas: 0 }); }, outcome: 'refused', words: ['replicas must be a whole number ≥ 1', 'got 0'] },
  { name: "an unpinned engine version '16'", build: (app, p) => { database(base(app, p), { engine: DatabaseEngine.postgres('16') }); }, outcome: 'refused', words: ["'16'", 'platform/postgres'] },
  { name: "storage size '0'", build: (app, p) => { const b = base(app, p); database(b, { storage: { tier: b.pack.fast, size: '0' } }); }, outcome: 'refused', words: ['platform/postgres', 'size 0', 'more than zero bytes', "'10Gi'"] },
  { name: "storage size '10GB' (not a quantity)", build: (app, p) => { const b = base(app, p); database(b, { storage: { tier: b.pack.fast, size: '10GB' } }); }, outcome: 'refused', words: ['10GB'] },
  { name: "clusterDomain 'Cluster_Local'", build: (app, p) => { database(base(app, p), { clusterDomain: 'Cluster_Local' }); }, outcome: 'refused', words: ["invalid clusterDomain 'Cluster_Local'", "'cluster.local'", '--cluster-domain'] },
  { name: "clusterDomain 'cluster.local.' (trailing dot)", build: (app, p) => { database(base(app, p), { clusterDomain: 'cluster.local.' }); }, outcome: 'refused', words: ["'cluster.local.'"] },
  { name: "clusterDomain 'corp.example'", build: (app, p) => { database(base(app, p), { clusterDomain: 'corp.example' }); }, outcome: 'accepted' },
  { name: 'terminationGracePeriodSeconds -5 on a database', build: (app, p) => { database(base(app, p), { terminationGracePeriodSeconds: -5 }); }, outcome: 'refused', words: ['StatefulSet ml-db/postgres', 'terminationGracePeriodSeconds is -5', 'non-negative'] },
  { name: 'a CPU limit below the request on a database', build: (app, p) => { database(base(app, p), { resources: { cpu: '2', cpuLimit: '1', memory: '1Gi' } }); }, outcome: 'refused', words: ['StatefulSet ml-db/postgres', 'requests cpu: "2" above its limit "1"', 'raise limits.cpu'] },
  { name: 'a backup timeZone Europe/Nowhere', build: (app, p) => { const b = base(app, p); new LogicalBackup(b.chart, 'backup', { database: database(b), destination: BackupDestination.objectStore(objectStore(b), 'ml-artifacts'), schedule: '15 1 * * *', timeZone: 'Europe/Nowhere' }); }, outcome: 'refused', words: ["invalid timeZone 'Europe/Nowhere'", "'Etc/UTC'"] },
  { name: 'a backup schedule that never fires (warning only)', build: (app, p) => { const b = base(app, p); new LogicalBackup(b.chart, 'backup', { database: database(b), destination: BackupDestination.objectStore(objectStore(b), 'ml-artifacts'), schedule: '0 0 30 2 *' }); }, outcome: 'accepted', words: ['never fires'] },
  { name: "a bad kubeVersion '1.26'", build: () => undefined, profiles: () => [Profile.kind({ kubeVersion: '1.26' } as any)], outcome: 'refused', words: ["kubeVersion '1.26'", 'supported versions are 1.27'] },
  { name: "a bad kubeVersion 'latest'", build: () => undefined, profiles: () => [Profile.kind({ kubeVersion: 'latest' } as any)], outcome: 'refused', words: ["Invalid kubeVersion 'latest'", "such as '1.35'"] },
  { name: "a bad kubeVersion '1.99'", build: () => undefined, profiles: () => [Profile.kind({ kubeVersion: '1.99' } as any)], outcome: 'refused', words: ["kubeVersion '1.99'"] },
  { name: 'a FeatureStore without a registry', build: (app, p) => { const b = base(app, p); featureStore(b, database(b), { registry: undefined }); }, outcome: 'refused', words: ["FeatureStore 'platform/feast'", 'registry is required', 'Registry.sql(database)'] },

  // Unknown or misspelled props fail synth.
  { name: "Credentials keys { usernameKey }", build: (app, p) => { database(base(app, p), { credentials: Credentials.existingSecret('pg', { usernameKey: 'user' } as any) }); }, outcome: 'refused', words: ["Credentials.existingSecret('pg') keys", "unknown prop 'usernameKey' (did you mean 'username'?)"] },
  { name: 'StatefulDatabase { replica: 3 }', build: (app, p) => { database(base(app, p), { replica: 3 }); }, outcome: 'refused', words: ["StatefulDatabase 'platform/postgres'", "'replica' (did you mean 'replicas'?)", 'known props:'] },
  { name: 'StatefulDatabase { synchronousReplica: 1 }', build: (app, p) => { database(base(app, p), { synchronousReplica: 1 }); }, outcome: 'refused', words: ["'synchronousReplica' (did you mean 'synchronousReplicas'?)"] },
  { name: 'StatefulDatabase { params: {...} }', build: (app, p) => { database(base(app, p), { params: { work_mem: '8MB' } }); }, outcome: 'refused', words: ["unknown prop 'params'"] },
  { name: 'MlflowCluster { backendStore }', build: (app, p) => { const b = base(app, p); mlflow(b, database(b), objectStore(b), { backendStore: 'x' }); }, outcome: 'refused', words: ["MlflowCluster 'platform/mlflow'", "'backendStore'"] },
  { name: 'ObjectStore { bucket }', build: (app, p) => { objectStore(base(app, p), { bucket: 'x' }); }, outcome: 'refused', words: ["ObjectStore 'platform/minio'", "'bucket' (did you mean 'buckets'?)"] },
  { name: 'StorageClassPack { versions: 2 }', build: (app, p) => { p.attachTo(app); new StorageClassPack(new Chart(app, 'platform'), 'storage', { profile: p, versions: 2 } as any); }, outcome: 'refused', words: ["StorageClassPack 'platform/storage'", "'versions' (did you mean 'version'?)"] },
  { name: 'FeatureStore { registy }', build: (app, p) => { const b = base(app, p); featureStore(b, database(b), { registy: Registry.sql(database(b, {}, 'other')) }); }, outcome: 'refused', words: ["FeatureStore 'platform/feast'", "'registy' (did you mean 'registry'?)"] },
  { name: 'Credentials.externalSecret { remotekey }', build: (app, p) => { database(base(app, p), { credentials: Credentials.externalSecret({ secretName: 'pg', store: 'vault', remotekey: 'x' } as any) }); }, outcome: 'refused', words: ["Credentials.externalSecret('pg')", "'remotekey' (did you mean 'remoteKey'?)"] },
  { name: 'WorkloadNamespace { label }', build: (app, p) => { const b = base(app, p); new WorkloadNamespace(b.chart, 'extra', { name: 'extra', label: { team: 'ml' } } as any); }, outcome: 'refused', words: ["WorkloadNamespace 'platform/extra'", "'label' (did you mean 'labels'?)"] },
  { name: 'LogicalBackup { retention }', build: (app, p) => { const b = base(app, p); new LogicalBackup(b.chart, 'backup', { database: database(b), destination: BackupDestination.objectStore(objectStore(b), 'ml-artifacts'), schedule: '15 1 * * *', retention: 7 } as any); }, outcome: 'refused', words: ["LogicalBackup 'platform/backup'", "unknown prop 'retention'", 'keep'] },
  { name: 'an ExternalSecret with an empty store', build: (app, p) => { database(base(app, p), { credentials: Credentials.externalSecret({ secretName: 'pg', store: '', remoteKey: 'ml/pg' }) }); }, outcome: 'refused', words: ["Credentials.externalSecret('pg')", 'store is ""', 'SecretStore'] },
  { name: 'an ExternalSecret with an empty remote key', build: (app, p) => { database(base(app, p), { credentials: Credentials.externalSecret({ secretName: 'pg', store: 'vault', remoteKey: '' }) }); }, outcome: 'refused', words: ['remoteKey is ""', 'external store'] },
  { name: "a credentials key 'pass/word'", build: (app, p) => { database(base(app, p), { credentials: Credentials.existingSecret('pg', { password: 'pass/word' }) }); }, outcome: 'refused', words: ["Credentials 'pg'", '"pass/word"'] },
  { name: 'an unknown profile name', build: () => undefined, profiles: () => { throw new Error("Unknown profile 'gcp': the reference app renders kind, gke, eks, aks."); }, outcome: 'refused', words: ["Unknown profile 'gcp'"] },
];

describe('catalogue: bad props through the synth entry', () => {
  test('holds at least 45 refused or warned inputs (with the other files: at least 120)', () => {
    expect(cases.filter((c) => c.outcome !== 'accepted').length).toBeGreaterThanOrEqual(45);
  });


  test.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = runSynth(c.build, c.profiles);
    if (c.outcome === 'accepted') {
      expect(result.log).not.toContain('synth failed');
      expect(result.code).toBe(0);
      for (const word of c.words ?? []) expect(result.log).toContain(word);
      return;
    }
    expect(result.code).toBe(1);
    expect(result.unchanged).toBe(true);
    expect(result.log).toMatch(/left unchanged/);
    expect(result.log).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack frames
    const words = c.words ?? [];
    const lines = result.log.split('\n');
    const hit = lines.find((l) => words.every((w) => l.includes(w)));
    if (!hit) throw new Error(`no single line holds ${JSON.stringify(words)}:\n${result.log}`);
  });
});

