import { App, Chart } from 'cdk8s';
import { FeatureStore, MlflowCluster, ObjectStore, Profile, StatefulDatabase, StorageClassPack, WorkloadNamespace } from '../lib';
import { buildDatabases } from './databases';
import { buildFeatures } from './features';
import { Protection, buildProtection } from './protection';
import { Training, buildTraining } from './training';
import { sizingFor } from './sizing';
import { buildTracking } from './tracking';

/** Namespaces of the reference platform, one per concern. */
export const NAMESPACES = {
  databases: 'ml-db',
  training: 'ml-training',
  tracking: 'ml-tracking',
  features: 'ml-features',
} as const;

/** What the reference platform exposes to tests and to the layers built on it. */
export interface Platform {
  readonly profile: Profile;
  readonly pack: StorageClassPack;
  /** The platform's PostgreSQL (3 pods in ml-db); MLflow and Feast call `addDatabase()` on it. */
  readonly database: StatefulDatabase;
  /** The 4-node PyTorch trainer in ml-training (and its shared dataset where the profile has RWX). */
  readonly training: Training;
  /** MLflow in ml-tracking (an ITrackingServer), backed by `database` and `objectStore`. */
  readonly tracking: MlflowCluster;
  /** MinIO in ml-tracking holding MLflow's artifacts; admit other clients with `allowFrom`. */
  readonly objectStore: ObjectStore;
  /** Feast in ml-features: Redis primary + 2 replicas, 2 feature servers, registry in `database`. */
  readonly features: FeatureStore;
  /** Logical backups of `database` to `objectStore` everywhere; CSI snapshots of it where the profile has a snapshot driver. */
  readonly protection: Protection;
}

/** Builds the reference ML platform for `profile` into `app`, one chart per concern. */
export function buildPlatform(app: App, profile: Profile): Platform {
  profile.attachTo(app);
  const base = new Chart(app, 'platform');
  for (const [id, name] of Object.entries(NAMESPACES)) {
    new WorkloadNamespace(base, id, { name });
  }
  const pack = new StorageClassPack(base, 'storage', { profile });
  const sizing = sizingFor(profile);
  const database = buildDatabases(app, pack, NAMESPACES.databases, sizing.database);
  const { mlflow: tracking, objectStore } = buildTracking(app, pack, NAMESPACES.tracking, database, sizing);
  const training = buildTraining(app, pack, NAMESPACES.training, { tracking });
  // Training scripts log artifacts through MLflow and may also read/write checkpoints in MinIO directly.
  objectStore.allowFrom(training.trainer);
  const features = buildFeatures(app, pack, NAMESPACES.features, database, sizing.onlineStore);
  const protection = buildProtection(app, pack, database, objectStore, sizing.backups);
  return { profile, pack, database, training, tracking, objectStore, features, protection };
}
