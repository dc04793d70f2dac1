// MySQL on GKE: a primary and two replicas, one semi-synchronous, without automatic failover (pod 0 is always the
// primary; failing over is a manual promotion, docs/database-operations.md). Replicas are read-only for every
// login (super_read_only), Ready only while both replication threads run and within the lag bound.
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import {
  Credentials, DatabaseEngine, DatabaseGrant, Profile, RenderedProfile, StatefulDatabase, StorageClassPack,
  WorkloadNamespace, renderProfile, writeRendered,
} from 'cdk8s-stateful-ml';

export const NAMESPACE = 'orders';
/** Pods of the orders service, the database's only client. */
export const ORDERS_PODS = { 'app.kubernetes.io/name': 'orders' };

export interface MysqlExample {
  readonly profile: Profile;
  readonly pack: StorageClassPack;
  readonly database: StatefulDatabase;
  /** The `orders` database and login. */
  readonly orders: DatabaseGrant;
}

/** Builds the example into `app` for `profile` (GKE unless told otherwise). */
export function build(app: App, profile: Profile = Profile.gke()): MysqlExample {
  profile.attachTo(app);
  const platform = new Chart(app, 'platform');
  new WorkloadNamespace(platform, 'namespace', { name: NAMESPACE });
  const pack = new StorageClassPack(platform, 'storage', { profile });

  const chart = new Chart(app, 'mysql');
  const database = new StatefulDatabase(chart, 'mysql', {
    engine: DatabaseEngine.mysql('8.4.3'),
    namespace: NAMESPACE,
    // Pod 0 is the primary (behind `mysql-rw`), pods 1 and 2 GTID replicas cloned with CLONE INSTANCE (behind `mysql-ro`).
    replicas: 3,
    // Semi-synchronous: a commit returns once one replica has it (falls back to asynchronous after 10 s).
    synchronousReplicas: 1,
    // A replica more than 30 s behind, or with a stopped replication thread, is not Ready.
    maxReadyLagSeconds: 30,
    storage: { tier: pack.fast, size: '20Gi' },
    // A Secret you create (keys username/password); the password is never rendered.
    credentials: Credentials.existingSecret('mysql-superuser'),
    replicationCredentials: Credentials.existingSecret('mysql-replication'),
    resources: { cpu: '500m', memory: '1Gi' },
  });
  const orders = database.addDatabase('orders', { credentials: Credentials.existingSecret('orders-db') });
  database.allowFrom({ namespace: NAMESPACE, podSelector: ORDERS_PODS });
  return { profile, pack, database, orders };
}

/** Renders the example, runs the gates and writes `<outdir>/<profile>/` (nothing is written if a gate fails). */
export function synth(outdir: string = path.join(__dirname, 'dist')): RenderedProfile {
  const app = new App();
  const { profile } = build(app);
  const rendered = renderProfile(app, profile);
  writeRendered(outdir, [rendered]);
  return rendered;
}
