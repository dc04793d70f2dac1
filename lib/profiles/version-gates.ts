/**
 * Every version-gated choice, one entry each: the `KubeVersion` getter that decides it, the minor it starts at,
 * the upstream feature gate and what the output does on each side. `KubeVersion` answers from this table and
 * docs/kubernetes-versions.md is generated from it (a test fails when the committed doc differs), so code and
 * docs cannot drift. A new gate is one new entry plus its getter; a test fails when a KubeVersion getter has no entry.
 */

/** One version-gated choice. */
export interface VersionGate {
  /** The `KubeVersion` getter constructs ask, e.g. `hasPodIndexLabel`. */
  readonly getter: string;
  /** What the feature is, in a few words. */
  readonly feature: string;
  /** First Kubernetes minor (1.x) where the output uses it. */
  readonly sinceMinor: number;
  /** Upstream feature gate and its stages, e.g. `PodIndexLabel (beta 1.28, GA 1.32)`. */
  readonly featureGate: string;
  /** What is rendered from `sinceMinor` on. */
  readonly from: string;
  /** What is rendered below `sinceMinor` (the older behaviour that is kept). */
  readonly below: string;
}

/** The gates, oldest first. */
export const VERSION_GATES: readonly VersionGate[] = [
  {
    getter: 'hasJobPodFailurePolicy',
    feature: 'Job `podFailurePolicy` (DisruptionTarget, exit codes)',
    sinceMinor: 27,
    featureGate: 'JobPodFailurePolicy (beta 1.26, GA 1.31)',
    from: 'the trainer Job ignores disruptions and fails at once on bug exit codes; other failures are retried',
    below: 'not reached (1.27 is the oldest supported minor)',
  },
  {
    getter: 'hasOptionalPodFailureRuleConditions',
    feature: 'Job podFailurePolicy rules without `onPodConditions`',
    sinceMinor: 30,
    featureGate: 'JobPodFailurePolicy (rule onPodConditions optional from 1.30)',
    from: 'exit-code rules carry no `onPodConditions`',
    below: 'exit-code rules carry `onPodConditions: []`, which the schema requires',
  },
  {
    getter: 'hasJobCompletionIndexLabel',
    feature: '`batch.kubernetes.io/job-completion-index` pod label',
    sinceMinor: 28,
    featureGate: 'PodIndexLabel (beta 1.28, GA 1.32)',
    from: 'the trainer\'s rank comes from the completion-index label',
    below: 'the entrypoint reads `JOB_COMPLETION_INDEX`',
  },
  {
    getter: 'hasJobBackoffLimitPerIndex',
    feature: 'Job `backoffLimitPerIndex` / `maxFailedIndexes`',
    sinceMinor: 29,
    featureGate: 'JobBackoffLimitPerIndex (alpha 1.28, beta 1.29, GA 1.33)',
    from: 'each rank is retried on its own (`maxFailedIndexes: 0`: one rank out of retries fails the run)',
    below: '`backoffLimit` = retries per rank x ranks for the whole Job',
  },
  {
    getter: 'hasJobPodReplacementPolicy',
    feature: 'Job `podReplacementPolicy: Failed`',
    sinceMinor: 29,
    featureGate: 'JobPodReplacementPolicy (alpha 1.28, beta 1.29, GA 1.34)',
    from: 'a rank\'s replacement starts only once the old pod has fully terminated (no two ranks of one index)',
    below: 'not emitted: a replacement may start while the old pod terminates',
  },
  {
    getter: 'hasJobSuccessPolicy',
    feature: 'Job `successPolicy`',
    sinceMinor: 31,
    featureGate: 'JobSuccessPolicy (alpha 1.30, beta 1.31, GA 1.33)',
    from: 'with torchrun, the run succeeds when index 0 succeeds (its torchrun exits only after every rank)',
    below: 'not emitted: the run succeeds when every index succeeds',
  },
  {
    getter: 'hasPvcRetentionPolicy',
    feature: 'StatefulSet `persistentVolumeClaimRetentionPolicy`',
    sinceMinor: 27,
    featureGate: 'StatefulSetAutoDeletePVC (beta 1.27, GA 1.32)',
    from: 'the policy is emitted (Retain/Retain unless a construct asks otherwise)',
    below: 'not emitted: claims are always retained',
  },
  {
    getter: 'hasUnhealthyPodEvictionPolicy',
    feature: 'PodDisruptionBudget `unhealthyPodEvictionPolicy`',
    sinceMinor: 27,
    featureGate: 'PDBUnhealthyPodEvictionPolicy (beta 1.27, GA 1.31)',
    from: '`AlwaysAllow`: a crash-looping pod never blocks a node drain',
    below: 'not emitted: not-Ready pods count against the budget',
  },
  {
    getter: 'hasStartOrdinal',
    feature: 'StatefulSet `spec.ordinals.start`',
    sinceMinor: 27,
    featureGate: 'StatefulSetStartOrdinal (beta 1.27, GA 1.31)',
    from: 'available to constructs that renumber pods (none of the reference platform does)',
    below: 'ordinals start at 0',
  },
  {
    getter: 'hasPodIndexLabel',
    feature: '`apps.kubernetes.io/pod-index` pod label',
    sinceMinor: 28,
    featureGate: 'PodIndexLabel (beta 1.28, GA 1.32)',
    from: 'per-pod selectors (Redis primary, database ordinals) select the controller-set index label',
    below: 'they select `statefulset.kubernetes.io/pod-name`',
  },
  {
    getter: 'hasNativeSidecars',
    feature: 'Native sidecars (init containers with `restartPolicy: Always`)',
    sinceMinor: 29,
    featureGate: 'SidecarContainers (beta 1.29, GA 1.33)',
    from: 'helpers (database metrics exporters) are init containers with `restartPolicy: Always`: started before and stopped after the main container, and they never keep a Job from completing',
    below: 'helpers are ordinary containers next to the main one',
  },
  {
    getter: 'hasValidatingAdmissionPolicy',
    feature: '`admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy',
    sinceMinor: 30,
    featureGate: 'ValidatingAdmissionPolicy (beta 1.28 off by default, GA 1.30)',
    from: 'a snapshot schedule\'s job may create and delete only the VolumeSnapshots labelled with its schedule',
    below: 'not emitted: the job\'s Role can delete any VolumeSnapshot of its namespace (RBAC cannot scope by label)',
  },
  {
    getter: 'hasTrafficDistribution',
    feature: 'Service `trafficDistribution: PreferClose`',
    sinceMinor: 31,
    featureGate: 'ServiceTrafficDistribution (beta 1.31, GA 1.33)',
    from: 'read-only Services (database `-ro`) prefer endpoints in the client\'s zone',
    below: 'not emitted: kube-proxy spreads over every endpoint',
  },
  {
    getter: 'hasInPlacePodResize',
    feature: 'In-place pod resize (`resizePolicy`)',
    sinceMinor: 33,
    featureGate: 'InPlacePodVerticalScaling (beta 1.33, GA 1.35)',
    from: 'database servers declare CPU `NotRequired` and memory `RestartContainer`: a CPU resize of a running pod (VPA, `kubectl patch --subresource resize`) needs no restart',
    below: 'not emitted: any resize replaces the pod',
  },
  {
    getter: 'hasVolumeAttributesClass',
    feature: 'VolumeAttributesClass (`storage.k8s.io/v1`)',
    sinceMinor: 34,
    featureGate: 'VolumeAttributesClass (GA 1.34)',
    from: 'tiers whose CSI driver can modify a volume (EBS, GCE PD/Hyperdisk, Azure Disk) get a VolumeAttributesClass with their IOPS/throughput, and claims name it: a new class changes a live volume in place. ' +
      'Moving a live StatefulSet across 1.34 changes its volumeClaimTemplates: the upgrade guard refuses it and prints the safe path (patch each claim, re-create the StatefulSet with --cascade=orphan)',
    below: 'IOPS and throughput live only in the StorageClass parameters, fixed at provisioning',
  },
  {
    getter: 'hasStatefulSetMaxUnavailable',
    feature: 'StatefulSet rolling update `maxUnavailable`',
    sinceMinor: 35,
    featureGate: 'MaxUnavailableStatefulSet (alpha 1.24, beta and on by default 1.35)',
    from: 'Parallel workloads that ask for it (caches, MinIO) replace several pods at once; never databases',
    below: 'not emitted: pods are replaced one at a time',
  },
];

/** The gate behind `getter`; throws for a getter with no entry. */
export function versionGate(getter: string): VersionGate {
  const gate = VERSION_GATES.find((g) => g.getter === getter);
  if (!gate) throw new Error(`No version gate '${getter}' in VERSION_GATES: add an entry for it.`);
  return gate;
}

/**
 * docs/kubernetes-versions.md: supported versions, the profiles' defaults and one row per gate. Written by
 * `npm run docs:versions`; a test compares it with the committed file.
 */
export function kubernetesVersionsMarkdown(input: {
  readonly minMinor: number;
  readonly maxMinor: number;
  readonly defaults: Readonly<Record<string, string>>;
}): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const minors = Array.from({ length: input.maxMinor - input.minMinor + 1 }, (_, i) => input.minMinor + i);
  const lines = [
    '# Kubernetes versions',
    '',
    '<!-- Generated from lib/profiles/version-gates.ts by `npm run docs:versions`; do not edit by hand. -->',
    '',
    `Supported: every minor from 1.${input.minMinor} to 1.${input.maxMinor}. Each has its official OpenAPI definitions ` +
      'vendored in lib/checks/schemas/, and every render is validated strictly against its own version\'s schema.',
    '',
    'Profile defaults (override with `Profile.<cloud>({ kubeVersion })`; sources in lib/profiles/profile.ts): ' +
      Object.entries(input.defaults).map(([cloud, v]) => `${cloud} ${v}`).join(', ') + '.',
    '',
    '## Version-gated choices',
    '',
    'Constructs ask `profile.kubeVersion.<getter>`; they never compare version numbers themselves. A new gate is one ' +
      'entry in `VERSION_GATES` (lib/profiles/version-gates.ts) plus its getter on `KubeVersion`; then `npm run docs:versions`.',
    '',
    '| Feature | From | Feature gate | From that version on | Below it | Getter |',
    '| --- | --- | --- | --- | --- | --- |',
    ...[...VERSION_GATES].sort((a, b) => a.sinceMinor - b.sinceMinor || a.getter.localeCompare(b.getter)).map((g) =>
      `| ${cell(g.feature)} | 1.${g.sinceMinor} | ${cell(g.featureGate)} | ${cell(g.from)} | ${cell(g.below)} | \`${g.getter}\` |`),
    '',
    '## What each version gets',
    '',
    '| Version | Gates on |',
    '| --- | --- |',
    ...minors.map((m) => {
      const on = VERSION_GATES.filter((g) => g.sinceMinor <= m).map((g) => `\`${g.getter}\``);
      return `| 1.${m} | ${on.join(', ') || '(none)'} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
