// The public API: what users compose. The folder index files are each layer's interface to the layers above
// (internals included); this file names what users get. test/architecture/public-api.test.ts compares these names
// with a committed list, so a change to the API is a reviewed change.
export { SyncHints, SyncPhase } from './sync-phase';
export {
  type AccessMode, type ApiServerEndpoint, type Cloud, ClusterConfig, type ClusterConfigProps, ClusterNetwork,
  type ClusterNetworkProps, CsiDriver, type CsiDriverProps, DEFAULT_KUBE_VERSIONS, type EksProfileOverrides, type GpuNodePool,
  type GpuSettings, type KindProfileOverrides, KubeVersion, MAX_SUPPORTED_MINOR, MIN_SUPPORTED_MINOR, type NodeRequirement,
  type ParameterRule, type PerformanceTierName, type PodsInNamespace, Profile, type ProfileOverrides, type ProfileProps,
  type ProvisionedPerformance, type ResourceSizing, STORAGE_TIER_NAMES, type StorageTierName, type StorageTierSpec,
  type TaintToleration, type TierNodeAffinity,
} from './profiles';
export {
  BucketAccess, type BucketPolicyStatement, KubeVolumeSnapshotClass, type KubeVolumeSnapshotClassProps,
  PersistentVolumeClaimResource, SnapshotClass, type SnapshotClassProps, type SnapshotDeletionPolicy, SnapshotRef,
  type SnapshotRefOptions, StorageClassPack, type StorageClassPackProps, StorageTier,
} from './storage';
export {
  type CertManagerTlsOptions, CloudIdentity, type CloudIdentityBinding, type CloudIdentityMechanism, type CredentialKeys,
  Credentials, type ExternalSecretCredentialsProps, type IssuerRef, type PodIdentity, type PodIdentityOptions, type SecretKeyRef,
  ServerTls, ServerTlsBinding, type TlsSecretKeys, type TlsServerIdentity,
} from './secrets';
export {
  type ClaimExpansion, type ClaimRetention, type ClientServiceProps, type ContainerPortSpec, type ContainerResources,
  type ContainerSpec, ExpansionPlan, type ExpansionPlanProps, IngressAllowList, type IngressAllowListProps, type IPeerable,
  type IServesTraffic, NetworkPeer, type PeerLike, PodManagementPolicy, type PodSpecInput, Probe, type ProbeRole,
  type ProbeTiming, type ResizePolicy, type ResizeRestartPolicy, RestoredClaim, type RestoredClaimProps, restoredTemplate,
  type RollingUpdateOptions, type RunAs, type ServiceStorage, SnapshotDeleteGuard, type SnapshotDeleteGuardProps,
  SnapshotSchedule, type SnapshotScheduleProps, type SpreadMode, type StatefulServiceProps, StatefulWorkload,
  type StatefulWorkloadProps, UpdateStrategy, type VolumeClaimTemplateSpec, WorkloadIdentity, type WorkloadIdentityProps,
  WorkloadNamespace, type WorkloadNamespaceProps, type WorkloadPeer, type WorkloadService, type WorkloadSource,
} from './stateful';
export {
  type AddDatabaseOptions, BackupDestination, type BucketTarget, type ClaimTarget, type ClientCaRef, type DatabaseClientMount, DatabaseClientTls,
  DatabaseEngine, type DatabaseFamily, type DatabaseGrant, type BackupConnection, type DatabaseMetricsOptions, type DatabaseSizing, type EngineBackup, type EngineContext, ENGINE_DRIVERS, type EngineDriver,
  type EnginePod, type EngineProps, type EngineRelease, type EngineSettingsInput, type EngineSupport, ExternalDatabase, type SupportedLine,
  type ExternalDatabaseProps, HighAvailability, type IDatabase, LogicalBackup, type LogicalBackupProps,
  type ObjectStoreBackupOptions, type PatroniOptions, type PatroniRbac, type S3BackupOptions, type S3CompatibleStore,
  StatefulDatabase, type StatefulDatabaseProps,
} from './databases';
export {
  ArtifactStore, type ArtifactStoreAccess, type CheckpointStorage, type CloudArtifactStoreOptions, type DatasetMount,
  type DatasetMountOptions, type DeepSpeedOptions, DistributedTrainer, type DistributedTrainerProps, type ElasticPolicy,
  type FeastRegistryConfig, type FeatureServerOptions, FeatureStore, type FeatureStoreProps, type FileRegistryOptions,
  type ITrackingServer, type JobSetRunOptions, type LaunchCommand, type LaunchContext, Launcher, type LauncherScriptOptions,
  MaxMemoryPolicy, type MlflowAutoscaling, MlflowCache, MlflowCluster, type MlflowClusterProps, type MlflowConnectionPool,
  MlflowImage, type MlflowImageOptions, ObjectStore, type ObjectStoreProps, type OnlineStoreOptions,
  type RedisClientUser, RedisMode, type RedisSavePoint, type RedisSentinelOptions, RedisServer, type RedisServerProps,
  type RedisUserKeys, RedisUsers, Registry, type RegistryBindContext, type RegistryBinding, type ScratchSpace,
  SharedDataset, type SharedDatasetProps, type SqlRegistryOptions, type TorchrunOptions, type TrainerPodResources, TrainingMode,
  type TrainingRunOptions,
} from './ml';
export {
  type ApplicationSetTarget, ArgoCdApplication, type ArgoCdApplicationProps, ArgoCdApplicationSet, type ArgoCdApplicationSetProps,
  type ArgoCdCommonProps, ArgoCdDestination, type ArgoCdSyncOptions, CapacityReport, type CapacityReportOptions,
  type ClaimTemplateRequest, ClusterNeeds, type CommittedRenderOptions, type ComputeRequest, ConfigManagementPlugin,
  type ConfigManagementPluginProps, type FolderUpgradeReport, type GitOpsSettings, guardUpgrade, type IgnoreDifference,
  ManifestSource, type OperatorNeed, parseManifests, type ProfileRenderModule, renderArgoCd, type RenderedFile,
  type RenderedFolder, type RenderedProfile, RenderError, renderGitOps, renderProfile, type RenderProfileOptions,
  type ResourceAmounts, type SecretInventoryEntry, type SecretNeed, type SecretReader, SecretsInventory, type StorageRequest,
  type TierPlacement, type UpgradeGuardResult, type WorkloadCapacity, type WorkloadScale, writeForCli, writeRendered,
} from './gitops';
export {
  assertGates, checkUpgrade, type CustomResourceSchema, customResourceSchemasFromCrd, type Finding, formatFindings, GateError,
  type GateOptions, type GateReport, type GateRuleId, type ManifestObject, type RuleFamily, type RuleId, type RuleInfo, RULES, type RuleSelector, runGates, SchemaValidator, type Severity,
  SKIP_ANNOTATION, type UpgradeCheckOptions, type UpgradeRuleId, UPGRADE_RULES,
} from './checks';
export { type Labels } from './checks/label-selector';
export {
  definePlatform, type PlatformDefinition, renderWith, runSynth, type RunSynthOptions, scaffold, SCAFFOLD_PROFILES, scaffoldFiles,
  type ScaffoldOptions, selectProfiles, snapshotFiles, synthesize, type SynthOptions,
} from './cli';
