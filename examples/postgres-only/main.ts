// A highly available PostgreSQL on EKS: a primary and two hot standbys (one synchronous), on the `fast`
// storage tier, with a database for one application and a NetworkPolicy that admits only that application.
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import {
  Credentials, DatabaseEngine, DatabaseGrant, Profile, RenderedProfile, StatefulDatabase, StorageClassPack,
  WorkloadNamespace, renderProfile, writeRendered,
} from 'cdk8s-stateful-ml';

export const NAMESPACE = 'analytics';
/** Pods of the reporting application, the database's only client. */
export const REPORTING_PODS = { 'app.kubernetes.io/name': 'reporting' };

export interface PostgresExample {
  readonly profile: Profile;
  readonly pack: StorageClassPack;
  readonly database: StatefulDatabase;
  /** The `reporting` database and login, for the reporting application. */
  readonly reporting: DatabaseGrant;
}

/** Builds the example into `app` for `profile` (EKS unless told otherwise). */
export function build(app: App, profile: Profile = Profile.eks()): PostgresExample {
  profile.attachTo(app);

  // Cluster-wide objects and the namespace (enforcing Pod Security Standards `restricted`).
  const platform = new Chart(app, 'platform');
  new WorkloadNamespace(platform, 'namespace', { name: NAMESPACE });
  const pack = new StorageClassPack(platform, 'storage', { profile });

  const chart = new Chart(app, 'postgres');
  const database = new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'),
    namespace: NAMESPACE,
    // Pod 0 is the primary (behind `postgres-rw`), pods 1 and 2 stream from it (behind `postgres-ro`).
    replicas: 3,
    // A commit waits for one standby: losing the primary's node loses no committed transaction.
    synchronousReplicas: 1,
    storage: { tier: pack.fast, size: '50Gi' },
    // A Secret you create in the namespace (keys username/password); no password is ever rendered:
    //   kubectl -n analytics create secret generic postgres-superuser --from-literal=username=postgres --from-literal=password=…
    credentials: Credentials.existingSecret('postgres-superuser'),
    resources: { cpu: '1', memory: '4Gi' },
    metrics: true,
  });

  // A database and a login owning it, created idempotently when the primary starts. Its password is the
  // Secret `reporting-db` (keys username/password) in the namespace.
  const reporting = database.addDatabase('reporting', { credentials: Credentials.existingSecret('reporting-db') });
  // Only the reporting pods may connect; the NetworkPolicy denies every other client.
  database.allowFrom({ namespace: NAMESPACE, podSelector: REPORTING_PODS });

  return { profile, pack, database, reporting };
}

/** Renders the example, runs the gates and writes `<outdir>/<profile>/` (nothing is written if a gate fails). */
export function synth(outdir: string = path.join(__dirname, 'dist')): RenderedProfile {
  const app = new App();
  const { profile } = build(app);
  const rendered = renderProfile(app, profile);
  writeRendered(outdir, [rendered]);
  return rendered;
}
