/**
 * Catalogue, part 1: bad values a user gets into the rendered objects (escape-hatch patches, raw ApiObjects, props
 * passed through), each checked against the gates the synth entry runs. Every case states its outcome (refused,
 * accepted, or accepted with a warning), the rule, and the words the one-line message must carry: the path, the bad
 * value and the fix. The cases start from the reference platform's real render (kind on 1.30, gke on 1.32).
 */
import { type GateOutcome, KUBE_VERSION, type Obj, first, freshRender, gate, line, podSpec } from './support';

type Profile = 'kind' | 'gke';
interface GateCase {
  readonly name: string;
  readonly profile?: Profile;
  readonly mutate: (objects: Obj[]) => void;
  readonly outcome: 'refused' | 'accepted' | 'warned';
  /** Rule of the (first) finding, for refused and warned cases. */
  readonly rule?: string;
  /** Words the finding's line must contain: path, value, fix. */
  readonly words?: readonly string[];
}

// Finders by shape, so the catalogue follows the platform when a construct's objects are renamed.
const statefulSet = (o: Obj[]) => first(o, 'StatefulSet', 'postgres');
const serverContainer = (o: Obj[]) => podSpec(statefulSet(o)).containers[0];
const headless = (o: Obj[]) => o.find((x) => x.kind === 'Service' && x.spec?.clusterIP === 'None')!;
const cronJob = (o: Obj[]) => first(o, 'CronJob');
const configMap = (o: Obj[]) => first(o, 'ConfigMap');
const deployment = (o: Obj[]) => first(o, 'Deployment');
const job = (o: Obj[]) => first(o, 'Job');
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function externalSecret(patch: (spec: any) => void = () => undefined): Obj {
  const spec: any = {
    refreshInterval: '1h',
    secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
    target: { name: 'postgres-credentials', creationPolicy: 'Owner' },
    data: [{ secretKey: 'password', remoteRef: { key: 'ml/postgres', property: 'password' } }],
  };
  patch(spec);
  return { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'postgres-credentials', namespace: 'ml-db' }, spec };
}

function setEnv(o: Obj[], name: string, value = 'x') {
  serverContainer(o).env = [...(serverContainer(o).env ?? []), { name, value }];
}

const cases: GateCase[] = [
  // Duplicate objects: kustomize refuses the folder.
  { name: 'a second StatefulSet postgres in the same namespace', mutate: (o) => { o.push(clone(statefulSet(o))); }, outcome: 'refused', rule: 'objects/duplicate', words: ['StatefulSet ml-db/postgres', 'metadata.name', 'rename one'] },
  { name: 'a second Namespace ml-db', mutate: (o) => { o.push(clone(first(o, 'Namespace', 'ml-db'))); }, outcome: 'refused', rule: 'objects/duplicate', words: ['Namespace ml-db', 'repeats'] },
  { name: 'a second headless Service of the same name', mutate: (o) => { o.push(clone(headless(o))); }, outcome: 'refused', rule: 'objects/duplicate', words: ['Service ml-db/', 'render it once'] },
  { name: 'a second ConfigMap of the same name', mutate: (o) => { o.push(clone(configMap(o))); }, outcome: 'refused', rule: 'objects/duplicate', words: ['ConfigMap', 'same apiVersion group, kind, namespace and name'] },
  { name: 'two StorageClasses of one name', mutate: (o) => { o.push(clone(first(o, 'StorageClass'))); }, outcome: 'refused', rule: 'objects/duplicate', words: ['StorageClass ml-', 'repeats'] },
  { name: 'the same name in another namespace is another object', mutate: (o) => { const c = clone(configMap(o)); c.metadata.namespace = 'ml-training'; o.push(c); }, outcome: 'accepted' },
  { name: 'the same name as another kind is another object', mutate: (o) => { const c = clone(configMap(o)); c.kind = 'ConfigMap'; c.metadata.name = statefulSet(o).metadata.name; c.metadata.namespace = statefulSet(o).metadata.namespace; o.push(c); }, outcome: 'accepted' },

  // Requests never above limits (ValidateResourceRequirements).
  { name: 'CPU limit below the request', mutate: (o) => { const r = serverContainer(o).resources; r.requests.cpu = '2'; r.limits = { ...r.limits, cpu: '500m' }; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['resources.requests.cpu', '"2"', '"500m"', 'raise limits.cpu'] },
  { name: 'memory request above the memory limit', mutate: (o) => { const r = serverContainer(o).resources; r.requests.memory = '4Gi'; r.limits.memory = '1Gi'; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['requests.memory', '"4Gi"', '"1Gi"'] },
  { name: 'ephemeral-storage request above its limit', mutate: (o) => { const r = serverContainer(o).resources; r.requests['ephemeral-storage'] = '10Gi'; r.limits['ephemeral-storage'] = '1Gi'; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['ephemeral-storage', '"10Gi"'] },
  { name: 'a GPU request without a limit', mutate: (o) => { serverContainer(o).resources.requests['nvidia.com/gpu'] = 1; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['limits.nvidia.com/gpu', 'cannot be overcommitted', 'equal to the request'] },
  { name: 'a GPU request below its limit', mutate: (o) => { const r = serverContainer(o).resources; r.requests['nvidia.com/gpu'] = 1; r.limits['nvidia.com/gpu'] = 2; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['nvidia.com/gpu', 'make the request equal the limit'] },
  { name: 'CPU request 2 above a 1500m limit', mutate: (o) => { const r = serverContainer(o).resources; r.requests.cpu = '2'; r.limits = { ...r.limits, cpu: '1500m' }; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['"1500m"'] },
  { name: 'memory 1.5Gi request against a 1Gi limit in an init container', mutate: (o) => { const s = podSpec(statefulSet(o)); const c = (s.initContainers ?? s.containers)[0]; c.resources.requests.memory = '1.5Gi'; c.resources.limits.memory = '1Gi'; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['"1.5Gi"'] },
  { name: 'CPU request equal to its limit', mutate: (o) => { const r = serverContainer(o).resources; r.limits = { ...r.limits, cpu: r.requests.cpu }; }, outcome: 'accepted' },
  { name: 'CPU 500m request under a limit of 1', mutate: (o) => { const r = serverContainer(o).resources; r.requests.cpu = '500m'; r.limits = { ...r.limits, cpu: '1' }; }, outcome: 'accepted' },
  { name: 'memory 1Gi request with a 1024Mi limit (the same quantity)', mutate: (o) => { const r = serverContainer(o).resources; r.requests.memory = '1Gi'; r.limits.memory = '1024Mi'; }, outcome: 'accepted' },
  { name: 'GPU request equal to its limit', mutate: (o) => { const r = serverContainer(o).resources; r.requests['nvidia.com/gpu'] = 2; r.limits['nvidia.com/gpu'] = 2; }, outcome: 'accepted' },

  // CronJob time zones (validateTimeZone: the tz database, case-sensitive).
  { name: "timeZone 'Europe/Nowhere'", mutate: (o) => { cronJob(o).spec.timeZone = 'Europe/Nowhere'; }, outcome: 'refused', rule: 'cronjob/time-zone', words: ['spec.timeZone', "'Europe/Nowhere'", "'Etc/UTC'"] },
  { name: "timeZone 'europe/berlin' (wrong case)", mutate: (o) => { cronJob(o).spec.timeZone = 'europe/berlin'; }, outcome: 'refused', rule: 'cronjob/time-zone', words: ["'europe/berlin'", "case-sensitive: 'Europe/Berlin'"] },
  { name: "timeZone 'Local'", mutate: (o) => { cronJob(o).spec.timeZone = 'Local'; }, outcome: 'refused', rule: 'cronjob/time-zone', words: ["'Local'"] },
  { name: "timeZone '+01:00'", mutate: (o) => { cronJob(o).spec.timeZone = '+01:00'; }, outcome: 'refused', rule: 'cronjob/time-zone', words: ["'+01:00'", 'IANA'] },
  { name: "timeZone 'CET ' with a trailing space", mutate: (o) => { cronJob(o).spec.timeZone = 'CET '; }, outcome: 'refused', rule: 'cronjob/time-zone', words: ["'CET '"] },
  { name: "timeZone 'Mars/Olympus_Mons'", mutate: (o) => { cronJob(o).spec.timeZone = 'Mars/Olympus_Mons'; }, outcome: 'refused', rule: 'cronjob/time-zone', words: ['Mars/Olympus_Mons'] },
  { name: "timeZone 'UTC'", mutate: (o) => { cronJob(o).spec.timeZone = 'UTC'; }, outcome: 'accepted' },
  { name: "timeZone 'Etc/UTC'", mutate: (o) => { cronJob(o).spec.timeZone = 'Etc/UTC'; }, outcome: 'accepted' },
  { name: "timeZone 'US/Pacific' (a tz database alias)", mutate: (o) => { cronJob(o).spec.timeZone = 'US/Pacific'; }, outcome: 'accepted' },
  { name: "timeZone 'Asia/Kolkata'", mutate: (o) => { cronJob(o).spec.timeZone = 'Asia/Kolkata'; }, outcome: 'accepted' },
  { name: "timeZone 'America/Argentina/Buenos_Aires' (three parts)", mutate: (o) => { cronJob(o).spec.timeZone = 'America/Argentina/Buenos_Aires'; }, outcome: 'accepted' },

  // Crons that parse but never fire: a warning.
  { name: "schedule '0 0 30 2 *' (February 30th)", mutate: (o) => { cronJob(o).spec.schedule = '0 0 30 2 *'; }, outcome: 'warned', rule: 'cronjob/never-fires', words: ['spec.schedule', "'0 0 30 2 *'", 'February has 28'] },
  { name: "schedule '0 0 31 4,6,9,11 *'", mutate: (o) => { cronJob(o).spec.schedule = '0 0 31 4,6,9,11 *'; }, outcome: 'warned', rule: 'cronjob/never-fires', words: ['day 31'] },
  { name: "schedule '0 0 31 feb *' (month by name)", mutate: (o) => { cronJob(o).spec.schedule = '0 0 31 feb *'; }, outcome: 'warned', rule: 'cronjob/never-fires', words: ["'0 0 31 feb *'"] },
  { name: "schedule '0 0 30-31 2 *'", mutate: (o) => { cronJob(o).spec.schedule = '0 0 30-31 2 *'; }, outcome: 'warned', rule: 'cronjob/never-fires', words: ['day 30,31'] },
  { name: "schedule '0 0 31 * *' fires in seven months", mutate: (o) => { cronJob(o).spec.schedule = '0 0 31 * *'; }, outcome: 'accepted' },
  { name: "schedule '0 0 29 2 *' fires in leap years", mutate: (o) => { cronJob(o).spec.schedule = '0 0 29 2 *'; }, outcome: 'accepted' },
  { name: "schedule '0 0 30 2 1' fires on Mondays (day-of-month OR day-of-week)", mutate: (o) => { cronJob(o).spec.schedule = '0 0 30 2 1'; }, outcome: 'accepted' },

  // ConfigMap and Secret keys (IsConfigMapKey).
  { name: "a ConfigMap key with '/'", mutate: (o) => { configMap(o).data['conf/postgres.conf'] = 'x'; }, outcome: 'refused', rule: 'config/key', words: ['data.conf/postgres.conf', '"conf/postgres.conf"', 'items[].path'] },
  { name: "a ConfigMap key '..data'", mutate: (o) => { configMap(o).data['..data'] = 'x'; }, outcome: 'refused', rule: 'config/key', words: ['"..data"'] },
  { name: "a ConfigMap key '.'", mutate: (o) => { configMap(o).data['.'] = 'x'; }, outcome: 'refused', rule: 'config/key', words: ['"."'] },
  { name: 'a ConfigMap key with a space', mutate: (o) => { configMap(o).data['my key'] = 'x'; }, outcome: 'refused', rule: 'config/key', words: ['"my key"', '"my_key"'] },
  { name: 'a ConfigMap key of 254 characters', mutate: (o) => { configMap(o).data['k'.repeat(254)] = 'x'; }, outcome: 'refused', rule: 'config/key', words: ['254 characters', 'at most 253'] },
  { name: "a ConfigMap key with ':'", mutate: (o) => { configMap(o).data['a:b'] = 'x'; }, outcome: 'refused', rule: 'config/key', words: ['"a:b"'] },
  { name: 'a ConfigMap key in both data and binaryData', mutate: (o) => { const c = configMap(o); const k = Object.keys(c.data)[0]; c.binaryData = { [k]: 'eA==' }; }, outcome: 'refused', rule: 'config/key', words: ['both data and binaryData'] },
  { name: "a ConfigMap key '.hidden'", mutate: (o) => { configMap(o).data['.hidden'] = 'x'; }, outcome: 'accepted' },
  { name: "a ConfigMap key 'config_v1.yaml'", mutate: (o) => { configMap(o).data['config_v1.yaml'] = 'x'; }, outcome: 'accepted' },

  // Env var names as each version validates them (strict before 1.32, RelaxedEnvironmentVariableValidation after).
  { name: "env '1ST_NODE' on 1.30", mutate: (o) => setEnv(o, '1ST_NODE'), outcome: 'refused', rule: 'env/name', words: ['.env[', '"1ST_NODE"', 'Kubernetes 1.30', 'not starting with a digit', '"_1ST_NODE"'] },
  { name: "env 'MY VAR' on 1.30", mutate: (o) => setEnv(o, 'MY VAR'), outcome: 'refused', rule: 'env/name', words: ['"MY VAR"', 'from 1.32'] },
  { name: "env 'db:host' on 1.30", mutate: (o) => setEnv(o, 'db:host'), outcome: 'refused', rule: 'env/name', words: ['"db:host"'] },
  { name: "env 'MY-VAR.x' on 1.30", mutate: (o) => setEnv(o, 'MY-VAR.x'), outcome: 'accepted' },
  { name: "env '_PRIVATE' on 1.30", mutate: (o) => setEnv(o, '_PRIVATE'), outcome: 'accepted' },
  { name: "env '1ST_NODE' on 1.32 (relaxed names)", profile: 'gke', mutate: (o) => setEnv(o, '1ST_NODE'), outcome: 'accepted' },
  { name: "env 'MY VAR' on 1.32", profile: 'gke', mutate: (o) => setEnv(o, 'MY VAR'), outcome: 'accepted' },
  { name: "env 'A=B' on 1.32", profile: 'gke', mutate: (o) => setEnv(o, 'A=B'), outcome: 'refused', rule: 'env/name', words: ['"A=B"', "other than '='"] },
  { name: "env '' on 1.32", profile: 'gke', mutate: (o) => setEnv(o, ''), outcome: 'refused', rule: 'env/name', words: ['""', 'at least one'] },
  { name: "env 'naïve' (non-ASCII) on 1.32", profile: 'gke', mutate: (o) => setEnv(o, 'naïve'), outcome: 'refused', rule: 'env/name', words: ['"naïve"', 'printable ASCII'] },
  { name: "envFrom prefix '9_' on 1.30", mutate: (o) => { serverContainer(o).envFrom = [{ prefix: '9_', configMapRef: { name: configMap(o).metadata.name } }]; }, outcome: 'refused', rule: 'env/name', words: ['envFrom[0].prefix', '"9_"'] },

  // Duplicate env names: the later silently hides the generated one.
  { name: 'an env entry repeating a generated one', mutate: (o) => { const c = serverContainer(o); c.env = [...c.env, { name: c.env[0].name, value: 'override' }]; }, outcome: 'refused', rule: 'env/duplicate', words: ['.env[', 'twice', 'construct prop that generates it'] },
  { name: 'MASTER_ADDR set twice in a trainer container', mutate: (o) => { const c = serverContainer(o); c.env = [...c.env, { name: 'MASTER_ADDR', value: 'a' }, { name: 'MASTER_ADDR', value: 'b' }]; }, outcome: 'refused', rule: 'env/duplicate', words: ['MASTER_ADDR twice'] },
  { name: 'the same env name in two different containers', mutate: (o) => { const s = podSpec(statefulSet(o)); for (const c of s.containers) c.env = [...(c.env ?? []), { name: 'SHARED_FLAG', value: '1' }]; }, outcome: 'accepted' },

  // Headless Services are ClusterIP.
  { name: 'a headless Service of type LoadBalancer', mutate: (o) => { headless(o).spec.type = 'LoadBalancer'; }, outcome: 'refused', rule: 'service/headless-type', words: ['spec.type', '"LoadBalancer"', 'separate LoadBalancer Service'] },
  { name: 'a headless Service of type NodePort', mutate: (o) => { headless(o).spec.type = 'NodePort'; }, outcome: 'refused', rule: 'service/headless-type', words: ['"NodePort"'] },
  { name: 'an ExternalName Service with a clusterIP', mutate: (o) => { const s = clone(headless(o)); s.metadata.name = 'external-db'; s.spec = { type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.0.0.1' }; o.push(s); }, outcome: 'refused', rule: 'service/headless-type', words: ['spec.clusterIP', '"10.0.0.1"', 'remove clusterIP'] },
  { name: 'a headless Service with an explicit type ClusterIP', mutate: (o) => { headless(o).spec.type = 'ClusterIP'; }, outcome: 'accepted' },

  // Durations and counts the API server wants non-negative.
  { name: 'terminationGracePeriodSeconds -5', mutate: (o) => { podSpec(statefulSet(o)).terminationGracePeriodSeconds = -5; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.template.spec.terminationGracePeriodSeconds', 'is -5', 'non-negative'] },
  { name: 'terminationGracePeriodSeconds 0', mutate: (o) => { podSpec(statefulSet(o)).terminationGracePeriodSeconds = 0; }, outcome: 'accepted' },
  { name: 'readinessProbe periodSeconds -1', mutate: (o) => { serverContainer(o).readinessProbe.periodSeconds = -1; }, outcome: 'refused', rule: 'durations/non-negative', words: ['readinessProbe.periodSeconds', 'is -1'] },
  { name: 'livenessProbe failureThreshold -3', mutate: (o) => { const c = serverContainer(o); c.livenessProbe = { ...(c.livenessProbe ?? { tcpSocket: { port: 5432 } }), failureThreshold: -3 }; }, outcome: 'refused', rule: 'durations/non-negative', words: ['livenessProbe.failureThreshold', 'is -3'] },
  { name: 'startupProbe initialDelaySeconds -10', mutate: (o) => { serverContainer(o).startupProbe = { tcpSocket: { port: 5432 }, initialDelaySeconds: -10 }; }, outcome: 'refused', rule: 'durations/non-negative', words: ['startupProbe.initialDelaySeconds', 'is -10'] },
  { name: 'a probe terminationGracePeriodSeconds of 0', mutate: (o) => { serverContainer(o).readinessProbe.terminationGracePeriodSeconds = 0; }, outcome: 'refused', rule: 'durations/non-negative', words: ['readinessProbe.terminationGracePeriodSeconds', 'at least 1'] },
  { name: 'StatefulSet minReadySeconds -1', mutate: (o) => { statefulSet(o).spec.minReadySeconds = -1; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.minReadySeconds', 'is -1'] },
  { name: 'Deployment progressDeadlineSeconds -600', mutate: (o) => { deployment(o).spec.progressDeadlineSeconds = -600; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.progressDeadlineSeconds', 'is -600'] },
  { name: 'Job backoffLimit -1', mutate: (o) => { job(o).spec.backoffLimit = -1; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.backoffLimit', 'is -1'] },
  { name: 'Job ttlSecondsAfterFinished -1', mutate: (o) => { job(o).spec.ttlSecondsAfterFinished = -1; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.ttlSecondsAfterFinished'] },
  { name: 'CronJob startingDeadlineSeconds -60', mutate: (o) => { cronJob(o).spec.startingDeadlineSeconds = -60; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.startingDeadlineSeconds', 'is -60'] },
  { name: 'CronJob successfulJobsHistoryLimit -1', mutate: (o) => { cronJob(o).spec.successfulJobsHistoryLimit = -1; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.successfulJobsHistoryLimit'] },
  { name: 'CronJob job activeDeadlineSeconds -1', mutate: (o) => { cronJob(o).spec.jobTemplate.spec.activeDeadlineSeconds = -1; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.jobTemplate.spec.activeDeadlineSeconds'] },
  { name: 'pod activeDeadlineSeconds 0', mutate: (o) => { podSpec(cronJob(o)).activeDeadlineSeconds = 0; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.activeDeadlineSeconds', 'at least 1'] },

  // ExternalSecrets must name a store and keys.
  { name: 'an ExternalSecret with an empty store', mutate: (o) => { o.push(externalSecret((s) => { s.secretStoreRef.name = ''; })); }, outcome: 'refused', rule: 'externalsecret/empty-ref', words: ['spec.secretStoreRef.name', '""', 'name the (Cluster)SecretStore'] },
  { name: 'an ExternalSecret with an empty remote key', mutate: (o) => { o.push(externalSecret((s) => { s.data[0].remoteRef.key = ''; })); }, outcome: 'refused', rule: 'externalsecret/empty-ref', words: ['spec.data[0].remoteRef.key', 'external store'] },
  { name: 'an ExternalSecret with a blank remote key', mutate: (o) => { o.push(externalSecret((s) => { s.data[0].remoteRef.key = '  '; })); }, outcome: 'refused', rule: 'externalsecret/empty-ref', words: ['"  "'] },
  { name: 'an ExternalSecret with an empty secretKey', mutate: (o) => { o.push(externalSecret((s) => { s.data[0].secretKey = ''; })); }, outcome: 'refused', rule: 'externalsecret/empty-ref', words: ['spec.data[0].secretKey', 'target Secret'] },
  { name: "an ExternalSecret secretKey with '/'", mutate: (o) => { o.push(externalSecret((s) => { s.data[0].secretKey = 'db/password'; })); }, outcome: 'refused', rule: 'config/key', words: ['"db/password"'] },
  { name: 'an ExternalSecret with no data at all', mutate: (o) => { o.push(externalSecret((s) => { s.data = []; })); }, outcome: 'refused', rule: 'externalsecret/empty-ref', words: ['spec.data', 'both empty'] },
  { name: 'an ExternalSecret extracting an empty key', mutate: (o) => { o.push(externalSecret((s) => { delete s.data; s.dataFrom = [{ extract: { key: '' } }]; })); }, outcome: 'refused', rule: 'externalsecret/empty-ref', words: ['spec.dataFrom[0].extract.key'] },
  { name: 'a complete ExternalSecret', mutate: (o) => { o.push(externalSecret()); }, outcome: 'accepted' },

  // More of the same rules, on other objects and fields.
  { name: 'a second PodDisruptionBudget of one name', mutate: (o) => { o.push(clone(first(o, 'PodDisruptionBudget'))); }, outcome: 'refused', rule: 'objects/duplicate', words: ['PodDisruptionBudget ml-', 'repeats'] },
  { name: 'a second Deployment of one name', mutate: (o) => { o.push(clone(deployment(o))); }, outcome: 'refused', rule: 'objects/duplicate', words: ['Deployment ml-tracking/'] },
  { name: 'CPU limit below the request in an init container', mutate: (o) => { const s = podSpec(statefulSet(o)); const c = (s.initContainers ?? s.containers)[0]; c.resources.requests.cpu = '1'; c.resources.limits = { ...c.resources.limits, cpu: '100m' }; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['"1"', '"100m"'] },
  { name: 'memory request above the limit in a Deployment', mutate: (o) => { const r = podSpec(deployment(o)).containers[0].resources; r.requests.memory = '2Gi'; r.limits.memory = '512Mi'; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['Deployment ml-tracking/', '"2Gi"', '"512Mi"'] },
  { name: 'a GPU request above its limit', mutate: (o) => { const r = serverContainer(o).resources; r.requests['nvidia.com/gpu'] = 2; r.limits['nvidia.com/gpu'] = 1; }, outcome: 'refused', rule: 'container-resources/request-above-limit', words: ['nvidia.com/gpu: 2 above its limit 1'] },
  { name: "timeZone 'Europe/Berlin/' (trailing slash)", mutate: (o) => { cronJob(o).spec.timeZone = 'Europe/Berlin/'; }, outcome: 'refused', rule: 'cronjob/time-zone', words: ["'Europe/Berlin/'"] },
  { name: "schedule '0 12 31 6 *' (June 31st)", mutate: (o) => { cronJob(o).spec.schedule = '0 12 31 6 *'; }, outcome: 'warned', rule: 'cronjob/never-fires', words: ["'0 12 31 6 *'", 'day 31'] },
  { name: "a ConfigMap key '..'", mutate: (o) => { configMap(o).data['..'] = 'x'; }, outcome: 'refused', rule: 'config/key', words: ['".."'] },
  { name: 'an empty ConfigMap key', mutate: (o) => { configMap(o).data[''] = 'x'; }, outcome: 'refused', rule: 'config/key', words: ['key "" is empty'] },
  { name: "a ConfigMap key 'café.conf'", mutate: (o) => { configMap(o).data['café.conf'] = 'x'; }, outcome: 'refused', rule: 'config/key', words: ['"café.conf"', '"caf_.conf"'] },
  { name: "env '$HOME' on 1.30", mutate: (o) => setEnv(o, '$HOME'), outcome: 'refused', rule: 'env/name', words: ['"$HOME"'] },
  { name: "env 'A=B' on 1.30", mutate: (o) => setEnv(o, 'A=B'), outcome: 'refused', rule: 'env/name', words: ['"A=B"', 'Kubernetes 1.30'] },
  { name: 'a duplicate env name in a Deployment container', mutate: (o) => { const c = podSpec(deployment(o)).containers[0]; c.env = [...(c.env ?? []), { name: 'DUP', value: '1' }, { name: 'DUP', value: '2' }]; }, outcome: 'refused', rule: 'env/duplicate', words: ['Deployment ml-tracking/', 'DUP twice'] },
  { name: 'a duplicate env name in a CronJob container', mutate: (o) => { const c = podSpec(cronJob(o)).containers[0]; c.env = [...(c.env ?? []), { name: 'DUP', value: '1' }, { name: 'DUP', value: '2' }]; }, outcome: 'refused', rule: 'env/duplicate', words: ['CronJob ml-db/', 'spec.jobTemplate.spec.template.spec.containers[0].env['] },
  { name: 'a headless Service of type LoadBalancer on 1.32', profile: 'gke', mutate: (o) => { headless(o).spec.type = 'LoadBalancer'; }, outcome: 'refused', rule: 'service/headless-type', words: ['"LoadBalancer"'] },
  { name: 'Deployment minReadySeconds -1', mutate: (o) => { deployment(o).spec.minReadySeconds = -1; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.minReadySeconds'] },
  { name: 'CronJob failedJobsHistoryLimit -1', mutate: (o) => { cronJob(o).spec.failedJobsHistoryLimit = -1; }, outcome: 'refused', rule: 'durations/non-negative', words: ['spec.failedJobsHistoryLimit'] },
  { name: 'readinessProbe timeoutSeconds -1', mutate: (o) => { serverContainer(o).readinessProbe.timeoutSeconds = -1; }, outcome: 'refused', rule: 'durations/non-negative', words: ['readinessProbe.timeoutSeconds'] },

  // Names, schema and resources the API server refuses (existing gates, in the catalogue for completeness).
  { name: 'an upper-case ConfigMap name', mutate: (o) => { configMap(o).metadata.name = 'Postgres-Config'; }, outcome: 'refused', rule: 'names/dns-1123', words: ['metadata.name', '"Postgres-Config"', 'DNS-1123'] },
  { name: 'a misspelled field in a patched StatefulSet spec', mutate: (o) => { statefulSet(o).spec.replica = 3; }, outcome: 'refused', rule: 'schema/unknown-field', words: ['spec.replica'] },
  { name: '`storage` as a container resource', mutate: (o) => { serverContainer(o).resources.requests.storage = '10Gi'; }, outcome: 'refused', rule: 'container-resources/unknown-resource', words: ['"storage"', 'volumeClaimTemplates'] },
  { name: 'a governing Service that is not headless', mutate: (o) => { delete headless(o).spec.clusterIP; }, outcome: 'refused', words: ['clusterIP'] },
];

describe('catalogue: bad values in rendered objects', () => {
  test('holds at least 80 refused or warned inputs (with the other files: at least 120)', () => {
    expect(cases.filter((c) => c.outcome !== 'accepted').length).toBeGreaterThanOrEqual(80);
  });


  test('holds every category of the issue', () => {
    const rules = new Set(cases.map((c) => c.rule));
    for (const r of ['objects/duplicate', 'container-resources/request-above-limit', 'cronjob/time-zone', 'config/key', 'env/name', 'env/duplicate',
      'service/headless-type', 'durations/non-negative', 'externalsecret/empty-ref', 'cronjob/never-fires']) expect(rules).toContain(r);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const profile = c.profile ?? 'kind';
    const objects = freshRender(profile);
    c.mutate(objects);
    const result: GateOutcome = gate(objects, KUBE_VERSION[profile]);
    if (c.outcome === 'accepted') {
      expect(result.errors.map(line)).toEqual([]);
      return;
    }
    const findings = c.outcome === 'refused' ? result.errors : result.warnings;
    if (c.outcome === 'warned') expect(result.errors.map(line)).toEqual([]);
    const matching = c.rule ? findings.filter((f) => f.rule === c.rule) : findings;
    expect(matching.length).toBeGreaterThan(0);
    const text = line(matching[0]);
    for (const word of c.words ?? []) expect(text).toContain(word);
    expect(text).not.toContain('\n');
  });
});

