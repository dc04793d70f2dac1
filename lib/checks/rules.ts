/**
 * Catalogue of every rule the gates and the upgrade check report: id -> the upstream check it mirrors and its default
 * severity. Keeping this in one place lets `skip`/`warn` be validated (a typo in a rule id must not silently disable
 * nothing), makes a misspelt id in a check a compile error (`RuleId`), and lets the README list the rules without
 * drifting from the code.
 */
/** An error fails synth; a warning is reported and kept. */
export type Severity = 'error' | 'warning';

export interface RuleInfo {
  readonly upstream: string;
  readonly severity: Severity;
}

const PSA = 'pod-security-admission';

/** Rules of the gates (`runGates`). */
export const RULES = {
  // Strict schema validation.
  'schema/unknown-field': { upstream: 'kubeconform -strict (additionalProperties: false)', severity: 'error' },
  'schema/missing-field': { upstream: 'kubeconform (OpenAPI required)', severity: 'error' },
  'schema/invalid-value': { upstream: 'kubeconform (OpenAPI type/enum)', severity: 'error' },
  'schema/unknown-kind': { upstream: 'kubeconform (could not find schema; no -ignore-missing-schemas)', severity: 'error' },

  // Pod Security Standards, restricted profile (which includes baseline), latest policy version.
  'pss/host-namespaces': { upstream: `${PSA} baseline: hostNamespaces`, severity: 'error' },
  'pss/privileged': { upstream: `${PSA} baseline: privileged`, severity: 'error' },
  'pss/capabilities': { upstream: `${PSA} restricted: capabilities_restricted`, severity: 'error' },
  'pss/host-path-volumes': { upstream: `${PSA} baseline: hostPathVolumes`, severity: 'error' },
  'pss/restricted-volumes': { upstream: `${PSA} restricted: restrictedVolumes`, severity: 'error' },
  'pss/host-ports': { upstream: `${PSA} baseline: hostPorts`, severity: 'error' },
  'pss/host-probes': { upstream: `${PSA} baseline: hostProbesAndHostLifecycle`, severity: 'error' },
  'pss/proc-mount': { upstream: `${PSA} baseline: procMount`, severity: 'error' },
  'pss/sysctls': { upstream: `${PSA} baseline: sysctls`, severity: 'error' },
  'pss/selinux-options': { upstream: `${PSA} baseline: seLinuxOptions`, severity: 'error' },
  'pss/apparmor': { upstream: `${PSA} baseline: appArmorProfile`, severity: 'error' },
  'pss/windows-host-process': { upstream: `${PSA} baseline: windowsHostProcess`, severity: 'error' },
  'pss/allow-privilege-escalation': { upstream: `${PSA} restricted: allowPrivilegeEscalation`, severity: 'error' },
  'pss/run-as-non-root': { upstream: `${PSA} restricted: runAsNonRoot`, severity: 'error' },
  'pss/run-as-user': { upstream: `${PSA} restricted: runAsUser`, severity: 'error' },
  'pss/seccomp-profile': { upstream: `${PSA} restricted: seccompProfile_restricted`, severity: 'error' },

  // StatefulSet and workload hygiene.
  'statefulset/service-name': { upstream: 'kube-score statefulset-has-servicename', severity: 'error' },
  'workload/selector-matches-template': {
    upstream: 'kube-score statefulset-pod-selector-labels-match-template-metadata-labels, deployment-pod-selector-labels-match-template-metadata-labels',
    severity: 'error',
  },
  'pdb/missing': {
    upstream: 'Polaris missingPodDisruptionBudget, kube-score statefulset-has-poddisruptionbudget / deployment-has-poddisruptionbudget',
    severity: 'error',
  },
  'pdb/blocks-drain': { upstream: 'kube-linter pdb-max-unavailable, pdb-min-available', severity: 'error' },
  'container-resources/cpu-request': {
    upstream: 'kube-linter unset-cpu-requirements, Polaris cpuRequestsMissing, kube-score container-resources',
    severity: 'error',
  },
  'container-resources/memory-request': {
    upstream: 'kube-linter unset-memory-requirements, Polaris memoryRequestsMissing, kube-score container-resources',
    severity: 'error',
  },
  'container-resources/memory-limit': {
    upstream: 'Polaris memoryLimitsMissing, kube-linter unset-memory-requirements, kube-score container-resources',
    severity: 'error',
  },
  'container-resources/unknown-resource': {
    upstream: 'kube-apiserver validateContainerResourceName (standard container resource or domain-qualified extended resource)',
    severity: 'error',
  },
  'probes/readiness': {
    upstream: 'kube-linter no-readiness-probe, Polaris readinessProbeMissing, kube-score pod-probes',
    severity: 'error',
  },
  'image/tag': { upstream: 'kube-linter latest-tag, Polaris tagNotSpecified, kube-score container-image-tag', severity: 'error' },
  'statefulset/volume-claim-template-type-meta': {
    upstream: 'argoproj/argo-cd#11143 (volumeClaimTemplates without apiVersion/kind stay OutOfSync)',
    severity: 'error',
  },
  'storage/storage-class-exists': {
    upstream: 'kube-controller-manager persistentvolume binder (claim stays Pending: storageclass not found)',
    severity: 'error',
  },
  'names/dns-1123': { upstream: 'kube-apiserver name validation (IsDNS1123Subdomain / IsDNS1123Label)', severity: 'error' },
  'names/statefulset-length': {
    upstream: 'kubernetes/kubernetes#64023 (controller-revision-hash label value > 63 characters)',
    severity: 'error',
  },
  'secret/literal-data': { upstream: 'Argo CD secret management: no plaintext Secrets in git', severity: 'error' },
  // API-server value validation a schema does not express (the `api-validation` checks of registry.ts).
  'objects/duplicate': {
    upstream: 'kustomize "may not add resource with an already registered id", kube-apiserver AlreadyExists (one object per group/kind/namespace/name)',
    severity: 'error',
  },
  'container-resources/request-above-limit': {
    upstream: 'kube-apiserver ValidateResourceRequirements ("must be less than or equal to <resource> limit"; extended resources: requests must equal limits)',
    severity: 'error',
  },
  'env/name': {
    upstream: 'kube-apiserver validateEnv (validation.IsEnvVarName; RelaxedEnvironmentVariableValidation, KEP-4369: printable ASCII except "=" from 1.32 beta, GA 1.34)',
    severity: 'error',
  },
  'env/duplicate': {
    upstream: 'kube-apiserver pod warning "hides previous definition of environment variable", server-side apply (env is a list-map keyed by name: duplicate entries are refused)',
    severity: 'error',
  },
  'config/key': { upstream: 'kube-apiserver ValidateConfigMap / ValidateSecret (validation.IsConfigMapKey)', severity: 'error' },
  'service/headless-type': {
    upstream: "kube-apiserver ValidateService (clusterIP None: \"may not be set to 'None' for LoadBalancer/NodePort services\"; ExternalName: clusterIP must be empty)",
    severity: 'error',
  },
  'durations/non-negative': {
    upstream: 'kube-apiserver ValidateNonnegativeField (probes, minReadySeconds, Job and CronJob limits), ValidatePodSpec activeDeadlineSeconds >= 1, pod strategy (negative terminationGracePeriodSeconds becomes 1)',
    severity: 'error',
  },
  'cronjob/time-zone': { upstream: 'kube-apiserver validateTimeZone (time.LoadLocation: IANA tz database name, not "Local")', severity: 'error' },
  'cronjob/never-fires': {
    upstream: 'kube-controller-manager CronJob controller (robfig/cron/v3: a day-of-month no scheduled month has never matches)',
    severity: 'warning',
  },
  'externalsecret/empty-ref': {
    upstream: 'external-secrets controller (SecretStore "" not found; remoteRef.key is required to fetch a value)',
    severity: 'error',
  },
  'service/dangling': { upstream: 'kube-linter dangling-service, kube-score service-targets-pod', severity: 'error' },
} as const satisfies Record<string, RuleInfo>;

/** Rules of the upgrade guard, with the API server check each mirrors. */
export const UPGRADE_RULES = {
  'upgrade/statefulset-immutable': {
    upstream: "kube-apiserver ValidateStatefulSetUpdate (spec fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden)",
    severity: 'error',
  },
  'upgrade/selector-immutable': { upstream: 'kube-apiserver ValidateDeploymentUpdate / ValidateDaemonSetUpdate (spec.selector: field is immutable)', severity: 'error' },
  'upgrade/storageclass-immutable': { upstream: 'kube-apiserver ValidateStorageClassUpdate (provisioner, parameters, reclaimPolicy, volumeBindingMode are immutable)', severity: 'error' },
  'upgrade/volumeattributesclass-immutable': { upstream: 'kube-apiserver ValidateVolumeAttributesClassUpdate (driverName and parameters are immutable)', severity: 'error' },
  'upgrade/snapshotclass-immutable': { upstream: 'external-snapshotter VolumeSnapshotClass (driver and parameters are fixed at creation)', severity: 'error' },
  'upgrade/claim-immutable': { upstream: 'kube-apiserver ValidatePersistentVolumeClaimUpdate (spec is immutable after creation except resources.requests and volumeAttributesClassName)', severity: 'error' },
  'upgrade/claim-shrink': { upstream: 'kube-apiserver ValidatePersistentVolumeClaimUpdate (spec.resources.requests.storage: field can not be less than previous value)', severity: 'error' },
  'upgrade/service-cluster-ip': { upstream: 'kube-apiserver ValidateServiceUpdate (spec.clusterIP / spec.clusterIPs: field is immutable)', severity: 'error' },
  'upgrade/job-immutable': { upstream: 'kube-apiserver ValidateJobSpecUpdate (spec.template, spec.selector, spec.completionMode, spec.podFailurePolicy: field is immutable)', severity: 'error' },
  'upgrade/statefulset-renamed': { upstream: 'kube-controller-manager StatefulSet controller (claims are named <template>-<statefulset>-<ordinal>)', severity: 'error' },
  'upgrade/statefulset-moved': { upstream: 'kube-apiserver (metadata.namespace is immutable; PersistentVolumeClaims are namespaced and never follow a workload to another namespace)', severity: 'error' },
  'upgrade/engine-major': { upstream: 'PostgreSQL pg_upgrade (a server refuses a data directory initialised by another major version); MySQL/MariaDB/Redis refuse data files written by a newer major', severity: 'error' },
  'upgrade/minio-pool': { upstream: 'MinIO server (refuses to start when the erasure set layout of a pool changes; capacity grows by adding a pool)', severity: 'error' },
  'upgrade/service-type': { upstream: "kube-apiserver ValidateServiceUpdate (a headless Service cannot become NodePort or LoadBalancer: clusterIP 'None' is immutable and only valid for ClusterIP)", severity: 'error' },
  'upgrade/statefulset-removed': { upstream: 'kube-controller-manager StatefulSet controller (persistentVolumeClaimRetentionPolicy.whenDeleted)', severity: 'warning' },
  'upgrade/scale-down-deletes-claims': { upstream: 'kube-controller-manager StatefulSet controller (persistentVolumeClaimRetentionPolicy.whenScaled: Delete)', severity: 'warning' },
  'upgrade/statefulset-to-deployment': { upstream: 'kube-controller-manager StatefulSet and Deployment controllers (a kind change is a delete and a create)', severity: 'warning' },
  'upgrade/acknowledgement': { upstream: 'cdk8s-stateful-ml upgrade guard (CDK8S_UPGRADE_ACK names a rename or namespace move it found)', severity: 'warning' },
  'upgrade/claim-removed': { upstream: 'Argo CD sync option Prune=false (the claim stays, OutOfSync)', severity: 'warning' },
} as const satisfies Record<string, RuleInfo>;

/** Id of a rule the gates report, e.g. `pss/run-as-non-root`. */
export type GateRuleId = keyof typeof RULES;
/** Id of a rule the upgrade check reports, e.g. `upgrade/statefulset-renamed`. */
export type UpgradeRuleId = keyof typeof UPGRADE_RULES;
/** Id of any catalogued rule; `finding()` takes only these, so a misspelt id does not compile. */
export type RuleId = GateRuleId | UpgradeRuleId;

/** `pss/*` for `pss/run-as-non-root`: the family wildcard `skip` and `warn` accept. */
export type RuleFamily<Id extends string> = Id extends `${infer Family}/${string}` ? `${Family}/*` : never;
/** What `skip` and `warn` name: a gate rule id or a family of them, e.g. `image/tag` or `pss/*`. */
export type RuleSelector = GateRuleId | RuleFamily<GateRuleId>;

const CATALOGUE: Readonly<Record<RuleId, RuleInfo>> = { ...RULES, ...UPGRADE_RULES };

export function ruleInfo(rule: RuleId): RuleInfo {
  const info = CATALOGUE[rule];
  if (!info) throw new Error(`unknown rule id ${rule}`);
  return info;
}
