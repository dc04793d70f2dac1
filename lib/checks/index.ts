/**
 * Synth-time validation gates for rendered manifests. Independent of the rest of the library: input is plain
 * manifest objects (`chart.toJson()`), so users can gate any cdk8s (or other) render with it.
 */
export { type Finding, type Severity, formatFindings } from './finding';
export { describeObject } from './object-identity';
export { type ManifestObject, type PodTemplateRef, ManifestIndex } from './manifest-index';
export { type LabelSelector, type LabelSelectorRequirement, selectorMatches } from './label-selector';
export { RULES, type GateRuleId, type RuleId, type RuleFamily, type RuleInfo, type RuleSelector, type UpgradeRuleId, UPGRADE_RULES } from './rules';
export {
  type CustomResourceSchema, SchemaValidator, VENDORED_KUBE_VERSIONS, customResourceSchemasFromCrd, resolveKubeVersion,
  strictCustomResourceSchema,
} from './schema';
export { checkPodSecurity } from './pod-security';
export { checkStatefulSets } from './statefulset-hygiene';
export { checkApiValidation, checkStatefulSetHygiene } from './registry';
export { checkWorkloadHygiene, isValidContainerResourceName, parseImage } from './workload-hygiene';
export { checkDisruptionBudgets } from './disruption-budget';
export { checkNames, isDns1123Label, isDns1123Subdomain, MAX_STATEFULSET_NAME } from './naming';
export { checkSecretLiterals } from './secret-literals';
export { GateError, type GateOptions, type GateReport, SKIP_ANNOTATION, assertGates, runGates } from './gates';
export { ACKNOWLEDGEABLE_RULES, type UpgradeCheckOptions, acknowledgementId, checkUpgrade, diffJson } from './upgrade-check';
export { type EngineVersion, engineOf } from './upgrade-data-path';
export { checkDuplicates, duplicateObjectErrors, objectIdentity, type SourcedObject } from './duplicates';
export { checkResourceLimits } from './resource-limits';
export { checkEnvVars, envVarNameProblem, RELAXED_ENV_NAMES_MINOR } from './env-vars';
export { checkConfigKeys, configKeyProblem } from './config-keys';
export { checkServiceTypes } from './service-type';
export { checkDurations } from './durations';
export { checkCronJobs, isKnownTimeZone, scheduleNeverFires } from './cron';
export { checkExternalSecrets } from './external-secret';
export { parseQuantity, compareQuantities } from './quantity';
