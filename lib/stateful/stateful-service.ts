import type { IConstruct } from 'constructs';
import { Profile } from '../profiles';
import type { StorageTier } from '../storage';
import type { ContainerResources } from './container';
import type { PeerLike } from './network-access';
import type { ClaimRetention } from './claim-retention';
import type { UpdateStrategy } from './update-strategy';

/** Per-pod storage of a stateful service: a tier of the profile's StorageClassPack and a size. */
export interface ServiceStorage {
  /** Tier of the StorageClassPack built for the service's profile (e.g. `pack.fast`). */
  readonly tier: StorageTier;
  /** Size of each pod's volume, a Kubernetes quantity (`20Gi`). */
  readonly size: string;
}

/**
 * Props every stateful service shares (StatefulDatabase, Redis, ObjectStore, MlflowCluster, FeatureStore,
 * DistributedTrainer). Each service adds its own, and documents its default name.
 */
export interface StatefulServiceProps {
  /** Name of the workload (and the prefix of its Services, claims and Secrets). @default - the service's conventional name */
  readonly name?: string;
  /** Namespace the service runs in. */
  readonly namespace: string;
  /** Cloud and Kubernetes version to render for. @default - the storage tier's profile, else the profile attached to the App */
  readonly profile?: Profile;
  /** The kubelet's `--cluster-domain`, which pod and Service DNS names end in. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Resources of the main container. @default - the service's sizing for its profile */
  readonly resources?: ContainerResources;
  /** What happens to the claims when the workload is deleted or scaled down. @default - the service's documented retention */
  readonly claimRetention?: ClaimRetention;
  /** How pods are replaced on a change. @default UpdateStrategy.rollingUpdate() */
  readonly updateStrategy?: UpdateStrategy;
}

/** A construct that serves traffic: clients are admitted by NetworkPolicy, and the flow is recorded for the egress side. */
export interface IServesTraffic {
  /** Admits `peer` to every port the service serves (and keeps denying every undeclared client). */
  allowFrom(peer: PeerLike): void;
}

/**
 * The one defaulting rule for a service's profile: the prop, else the profile of the tier its data lives on, else the
 * profile attached to the App.
 */
export function serviceProfile(scope: IConstruct, profile: Profile | undefined, tier: StorageTier | undefined): Profile {
  return profile ?? tier?.profile ?? Profile.of(scope);
}

/**
 * The one tier/profile check: a tier from another profile's StorageClassPack would render that cloud's StorageClass
 * names (which do not exist on this cluster). `what` names the tier's use, e.g. 'storage tier' or 'backup tier'.
 */
export function tierProfileProblem(tier: StorageTier, profile: Profile, what: string): string | undefined {
  if (tier.profile === profile) return undefined;
  return `${what} '${tier.name}' belongs to a StorageClassPack of profile '${tier.profile.name}', not '${profile.name}': ` +
    'take the tier from the pack built for this profile.';
}
