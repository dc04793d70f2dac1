// MariaDB on AKS: a primary and a semi-synchronous replica, without automatic failover (pod 0 is always the
// primary; failing over is a manual promotion, docs/database-operations.md). Replicas are read-only for every
// login, Ready only while both replication threads run and within the lag bound.
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import {
  Credentials, DatabaseEngine, DatabaseGrant, Profile, RenderedProfile, StatefulDatabase, StorageClassPack,
  WorkloadNamespace, renderProfile, writeRendered,
} from 'cdk8s-stateful-ml';

export const NAMESPACE = 'catalog';
/** Pods of the catalog service, the database's only client. */
export const CATALOG_PODS = { 'app.kubernetes.io/name': 'catalog' };

export interface MariadbExample {
  readonly profile: Profile;
  readonly pack: StorageClassPack;
  readonly database: StatefulDatabase;
  /** The `catalog` database and login. */
  readonly catalog: DatabaseGrant;
}

/** Builds the example into `app` for `profile` (AKS unless told otherwise). */
export function build(app: App, profile: Profile = Profile.aks()): MariadbExample {
  profile.attachTo(app);
  const platform = new Chart(app, 'platform');
  new WorkloadNamespace(platform, 'namespace', { name: NAMESPACE });
  const pack = new StorageClassPack(platform, 'storage', { profile });

  const chart = new Chart(app, 'mariadb');
  const database = new StatefulDatabase(chart, 'mariadb', {
    // Debian 12's MariaDB line, the one the integration suite runs this example's output on.
    engine: DatabaseEngine.mariadb('10.11.10'),
    namespace: NAMESPACE,
    // Pod 0 is the primary (behind `mariadb-rw`), pod 1 a GTID replica (behind `mariadb-ro`).
    replicas: 2,
    // Semi-synchronous: a commit returns once the replica has it (falls back to asynchronous after 10 s).
    synchronousReplicas: 1,
    // A replica more than 30 s behind, or with a stopped replication thread, is not Ready.
    maxReadyLagSeconds: 30,
    storage: { tier: pack.fast, size: '20Gi' },
    // A Secret you create (keys username/password); the password is never rendered.
    credentials: Credentials.existingSecret('mariadb-superuser'),
    replicationCredentials: Credentials.existingSecret('mariadb-replication'),
    resources: { cpu: '500m', memory: '1Gi' },
  });
  const catalog = database.addDatabase('catalog', { credentials: Credentials.existingSecret('catalog-db') });
  database.allowFrom({ namespace: NAMESPACE, podSelector: CATALOG_PODS });
  return { profile, pack, database, catalog };
}

/** Renders the example, runs the gates and writes `<outdir>/<profile>/` (nothing is written if a gate fails). */
export function synth(outdir: string = path.join(__dirname, 'dist')): RenderedProfile {
  const app = new App();
  const { profile } = build(app);
  const rendered = renderProfile(app, profile);
  writeRendered(outdir, [rendered]);
  return rendered;
}
