/**
 * The upgrade check: compares a new render with the one the cluster already runs (the committed `dist/`) and
 * reports every change the API server refuses on update, naming object and field, with the safe path. Risky
 * changes it accepts (a StatefulSet rename that leaves its data behind, a scale-down that deletes claims) are
 * warnings. Pure: input is two lists of manifest objects.
 */
import { type Finding, finding } from './finding';
import type { Json, ManifestObject } from './manifest-object';
import { describeObject, namespaceOf } from './object-identity';
import { compareQuantities } from './quantity';
import { type RuleId, type UpgradeRuleId, UPGRADE_RULES } from './rules';
import { serviceTypeChanges, statefulSetDataPathChanges } from './upgrade-data-path';

/** Options of `checkUpgrade`. */
export interface UpgradeCheckOptions {
  /**
   * Changes the user has made deliberately, each named as the error asks (e.g. `statefulset-renamed/ml-db/postgres`);
   * an acknowledged finding is reported as a warning. Only data-path rules (renames, namespace moves) take one.
   * @default none
   */
  readonly acknowledge?: readonly string[];
}

/** Rules an explicit acknowledgement turns into a warning: the cluster accepts the change, the data stays behind. */
export const ACKNOWLEDGEABLE_RULES: ReadonlySet<RuleId> = new Set<UpgradeRuleId>(['upgrade/statefulset-renamed', 'upgrade/statefulset-moved']);

/** The name an acknowledgement uses for a finding: `<rule without upgrade/>/<namespace>/<name>` of the old object. */
export function acknowledgementId(rule: RuleId, obj: ManifestObject): string {
  return `${rule.replace(/^upgrade\//, '')}/${namespaceOf(obj) ?? '-'}/${obj.metadata?.name ?? ''}`;
}

/** StatefulSet spec fields the API server lets an update change. */
const STATEFULSET_MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);
const STORAGECLASS_IMMUTABLE = ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode'];
const SNAPSHOTCLASS_IMMUTABLE = ['driver', 'parameters'];
const ATTRIBUTESCLASS_IMMUTABLE = ['driverName', 'parameters'];
const JOB_IMMUTABLE = ['template', 'selector', 'completionMode', 'podFailurePolicy', 'manualSelector'];
const SELECTOR_KINDS = new Set(['Deployment', 'DaemonSet', 'ReplicaSet']);

interface Change {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Leaf-level differences between two JSON values; list items with a name are matched by it (`[data]`). */
export function diffJson(before: unknown, after: unknown, path: string, out: Change[] = []): Change[] {
  if (before === after) return out;
  if (Array.isArray(before) && Array.isArray(after)) {
    // Containers, ports, env are keyed by `name`; volumeClaimTemplates by `metadata.name`.
    const nameOf = (i: Json): unknown => (isPlainObject(i) ? i.name ?? (i.metadata as Json)?.name : undefined);
    const named = (list: unknown[]) => list.every((i) => typeof nameOf(i) === 'string');
    if (named(before) && named(after)) {
      const byName = (list: Json[]) => new Map<string, Json>(list.map((i) => [nameOf(i) as string, i]));
      const b = byName(before);
      const a = byName(after);
      for (const name of new Set([...b.keys(), ...a.keys()])) diffJson(b.get(name), a.get(name), `${path}[${name}]`, out);
    } else {
      for (let i = 0; i < Math.max(before.length, after.length); i++) diffJson(before[i], after[i], `${path}[${i}]`, out);
    }
    return out;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      diffJson(before[key], after[key], path ? `${path}.${key}` : key, out);
    }
    return out;
  }
  out.push({ path, before, after });
  return out;
}

function identity(obj: ManifestObject): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return `${group}|${obj.kind}|${namespaceOf(obj) ?? ''}|${obj.metadata?.name ?? ''}`;
}

function changesUnder(before: Json, after: Json, fields: readonly string[], prefix: string): Change[] {
  const out: Change[] = [];
  for (const f of fields) diffJson(before?.[f], after?.[f], `${prefix}.${f}`, out);
  return out;
}

function kubectl(obj: ManifestObject): string {
  const ns = namespaceOf(obj);
  return ns ? `kubectl -n ${ns}` : 'kubectl';
}

function statefulSetChanges(before: Json, after: Json, obj: ManifestObject): Finding[] {
  const name = obj.metadata?.name;
  const fields = [...new Set([...Object.keys(before.spec ?? {}), ...Object.keys(after.spec ?? {})])].filter((f) => !STATEFULSET_MUTABLE.has(f));
  const replicas = after.spec?.replicas ?? 1;
  const orphan = `${kubectl(obj)} delete statefulset ${name} --cascade=orphan, then sync: the new StatefulSet adopts the running pods and their claims`;
  return changesUnder(before.spec, after.spec, fields, 'spec').map((c) => {
    const size = /^spec\.volumeClaimTemplates\[([^\]]+)\]\.spec\.resources\.requests\.storage$/.exec(c.path);
    const attributes = /^spec\.volumeClaimTemplates\[([^\]]+)\]\.spec\.volumeAttributesClassName$/.exec(c.path);
    const storageClass = /^spec\.volumeClaimTemplates\[([^\]]+)\]\.spec\.storageClassName$/.exec(c.path);
    let safe: string;
    let why = '';
    if (attributes) {
      const claims = Array.from({ length: replicas }, (_, i) => `${attributes[1]}-${name}-${i}`).join(', ');
      const patch = c.after === undefined ? 'null' : JSON.stringify(c.after);
      safe = `move each live claim to the new class in place (${claims}): ${kubectl(obj)} patch pvc <claim> -p '{"spec":{"volumeAttributesClassName":${patch}}}' ` +
        `(the API server allows that change on a claim), then ${orphan}`;
    } else if (size && (compareQuantities(c.after, c.before) ?? 0) < 0) {
      safe = `Kubernetes refuses to shrink a claim (requests.storage can only grow), so keep ${show(c.before)}; to really use less, ` +
        `copy the data into a new StatefulSet under a new name with the smaller template (dump/restore, or restore VolumeSnapshots into smaller claims where the data fits), switch clients, then delete the old one`;
    } else if (size) {
      const claims = Array.from({ length: replicas }, (_, i) => `${size[1]}-${name}-${i}`).join(', ');
      safe = `grow each claim in place (${claims}): ${kubectl(obj)} patch pvc <claim> -p '{"spec":{"resources":{"requests":{"storage":${JSON.stringify(c.after)}}}}}' ` +
        `(the StorageClass must allow expansion), then ${orphan}`;
    } else if (storageClass && packVersionBump(c.before, c.after)) {
      why = ` This is the StorageClassPack version bump (${show(c.before)} -> ${show(c.after)}): a new pack version renames every StorageClass, ` +
        'so every StatefulSet whose claim templates use the pack is refused the same way.';
      safe = `existing claims stay bound to ${show(c.before)} (a claim's class never changes), and only claims created later use ${show(c.after)}; ` +
        `either keep the old pack version while these StatefulSets exist (a pack per version: bump only for new workloads), or ${orphan}, one StatefulSet at a time`;
    } else if (c.path.startsWith('spec.selector')) {
      safe = `${orphan}; pods that the new selector does not match are not adopted, so give their template the new labels first`;
    } else {
      safe = orphan;
    }
    return finding('upgrade/statefulset-immutable', obj, c.path,
      `changes ${show(c.before)} -> ${show(c.after)}, which the API server refuses on a live StatefulSet.${why} Safe path: ${safe}.`);
  });
}

/** `ml-fast-v1` -> `ml-fast-v2`: the same StorageClassPack tier under another pack version. */
function packVersionBump(before: unknown, after: unknown): boolean {
  const a = /^(.*)-v(\d+)$/.exec(String(before));
  const b = /^(.*)-v(\d+)$/.exec(String(after));
  return !!a && !!b && a[1] === b[1] && a[2] !== b[2];
}

function scaleDownWarnings(before: Json, after: Json, obj: ManifestObject): Finding[] {
  const from = before.spec?.replicas ?? 1;
  const to = after.spec?.replicas ?? 1;
  if (to >= from || after.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return [];
  const templates: string[] = (after.spec?.volumeClaimTemplates ?? []).map((t: Json) => t.metadata?.name);
  if (!templates.length) return [];
  const claims = templates.flatMap((t) => Array.from({ length: from - to }, (_, i) => `${t}-${obj.metadata?.name}-${to + i}`));
  return [finding('upgrade/scale-down-deletes-claims', obj, 'spec.replicas',
    `spec.replicas ${from} -> ${to} with persistentVolumeClaimRetentionPolicy.whenScaled: Delete deletes claims ${claims.join(', ')} and their data. ` +
    'Safe path: snapshot those claims first, or set whenScaled: Retain in one sync and scale down in the next.')];
}

function claimChanges(before: Json, after: Json, obj: ManifestObject): Finding[] {
  const out: Finding[] = [];
  for (const c of diffJson(before.spec, after.spec, 'spec')) {
    if (c.path === 'spec.volumeAttributesClassName') continue;
    if (c.path === 'spec.resources.requests.storage') {
      if ((compareQuantities(c.after, c.before) ?? 0) < 0) {
        out.push(finding('upgrade/claim-shrink', obj, c.path,
          `${c.path} shrinks ${show(c.before)} -> ${show(c.after)}; Kubernetes refuses to shrink a claim (it only grows). Safe path: keep ${show(c.before)}; ` +
          'to use less, copy the data into a new claim under a new name with the smaller size (dump/restore, or a VolumeSnapshot restore where the data fits) and switch the workload over.'));
      }
      continue;
    }
    out.push(finding('upgrade/claim-immutable', obj, c.path,
      `changes ${show(c.before)} -> ${show(c.after)}, which the API server refuses on an existing claim. ` +
      'Safe path: create a claim under a new name from a VolumeSnapshot of this one (dataSource), switch the workload to it, and delete the old claim by hand once done (it carries Prune=false).'));
  }
  return out;
}

function serviceChanges(before: Json, after: Json, obj: ManifestObject): Finding[] {
  const out: Finding[] = [];
  for (const c of changesUnder(before.spec, after.spec, ['clusterIP', 'clusterIPs'], 'spec')) {
    const headless = (v: unknown) => v === 'None' || (Array.isArray(v) && v[0] === 'None');
    const what = headless(c.before) !== headless(c.after)
      ? `switches the Service ${headless(c.before) ? 'from headless to a virtual IP' : 'from a virtual IP to headless'}`
      : `changes ${show(c.before)} -> ${show(c.after)}`;
    out.push(finding('upgrade/service-cluster-ip', obj, c.path,
      `${what}, which the API server refuses (clusterIP is immutable). Safe path: create the new shape under a new name ` +
      `(e.g. ${obj.metadata?.name}-headless), move clients and the StatefulSet's serviceName over, then remove the old Service.`));
  }
  return out;
}

function jobChanges(before: Json, after: Json, obj: ManifestObject): Finding[] {
  const changes = changesUnder(before.spec, after.spec, JOB_IMMUTABLE, 'spec');
  // Elastic indexed Jobs (1.27+) may change completions together with parallelism; any other change is refused.
  const elastic = after.spec?.completionMode === 'Indexed' && after.spec?.completions === after.spec?.parallelism;
  if (!elastic) changes.push(...changesUnder(before.spec, after.spec, ['completions'], 'spec'));
  return changes.map((c) => finding('upgrade/job-immutable', obj, c.path,
    `changes ${show(c.before)} -> ${show(c.after)}; a Job's template and selector are immutable, so the sync fails. ` +
    `Safe path: give the Job a new name (e.g. suffix the migration version) so a new Job runs; delete the finished one (${kubectl(obj)} delete job ${obj.metadata?.name}).`));
}

function fieldChanges(rule: UpgradeRuleId, before: Json, after: Json, obj: ManifestObject, fields: readonly string[], safe: string): Finding[] {
  return changesUnder(before, after, fields, '').map((c) => {
    const path = c.path.replace(/^\./, '');
    return finding(rule, obj, path, `changes ${show(c.before)} -> ${show(c.after)}, which the API server refuses on update. Safe path: ${safe}`);
  });
}

function removalWarnings(removed: readonly ManifestObject[], added: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  const templatesOf = (o: Json): string[] => (o.spec?.volumeClaimTemplates ?? []).map((t: Json) => t.metadata?.name).sort();
  for (const old of removed) {
    const spec = (old as Json).spec ?? {};
    if (old.kind === 'StatefulSet' && templatesOf(old).length) {
      const ns = namespaceOf(old);
      const templates = templatesOf(old);
      const successor = added.find((o) => o.kind === 'StatefulSet' && namespaceOf(o) === ns && templatesOf(o).join() === templates.join())
        ?? added.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === old.metadata?.name && namespaceOf(o) !== ns);
      const oldClaims = templates.map((t) => `${t}-${old.metadata?.name}-<ordinal>`).join(', ');
      const deployment = added.find((o) => o.kind === 'Deployment' && namespaceOf(o) === ns && o.metadata?.name === old.metadata?.name);
      if (deployment) {
        const name = old.metadata?.name;
        out.push(finding('upgrade/statefulset-to-deployment', old, 'kind',
          `becomes a Deployment of the same name, without per-pod claims. The StatefulSet carries Prune=false, so both run side by side behind the ` +
          `same Service (no downtime). Safe path: sync, wait until 'kubectl -n ${ns} rollout status deployment/${name}' succeeds, then ` +
          `'kubectl -n ${ns} delete statefulset ${name}' and '... delete service ${name}-headless'; ${spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete' ? 'whenDeleted: Delete removes' : 'then delete'} ` +
          `its claims (${oldClaims}), and delete the Released PersistentVolumes a Retain class leaves ('kubectl get pv | grep Released').`));
      } else if (successor) {
        const moved = namespaceOf(successor) !== ns;
        const rule = moved ? 'upgrade/statefulset-moved' : 'upgrade/statefulset-renamed';
        const newClaims = templates.map((t) => `${t}-${successor.metadata?.name}-<ordinal>`).join(', ');
        const what = moved
          ? `moved from namespace ${ns} to ${namespaceOf(successor)}: claims never follow a workload to another namespace, so its pods start on new, empty claims (${namespaceOf(successor)}/${newClaims}) while the data stays in ${ns}/${oldClaims}`
          : `renamed to ${successor.metadata?.name}: its pods start on new, empty claims (${newClaims}) while the data stays in ${oldClaims}`;
        out.push(finding(rule, old, moved ? 'metadata.namespace' : 'metadata.name',
          `${what}, and every client wired to it (connection URLs, e.g. MLflow's and Feast's backends) is switched to the empty one. ` +
          `Safe path: keep the old ${moved ? 'namespace' : 'name'}; or copy the data first (restore VolumeSnapshots of the old claims into claims named ${newClaims}${moved ? ` in ${namespaceOf(successor)}` : ''}, or dump/restore), ` +
          `then acknowledge the change by name: CDK8S_UPGRADE_ACK=${acknowledgementId(rule, old)} (or --acknowledge ${acknowledgementId(rule, old)}).`));
      } else {
        const deletes = spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
        out.push(finding('upgrade/statefulset-removed', old, undefined,
          `removed from the render; ${deletes ? `whenDeleted: Delete deletes its claims (${oldClaims}) and their data once it is pruned` : `its claims (${oldClaims}) stay behind`}. ` +
          'It carries Prune=false, so Argo CD leaves it running (OutOfSync) until you delete it by hand; snapshot the claims first if the data matters.'));
      }
    } else if (old.kind === 'PersistentVolumeClaim') {
      out.push(finding('upgrade/claim-removed', old, undefined,
        'removed from the render; it carries Prune=false, so Argo CD keeps it and its data (OutOfSync). Delete it by hand once the data is no longer needed.'));
    }
  }
  return out;
}

/**
 * Every refused or risky change from `before` (what the cluster runs) to `after` (the new render). Objects are
 * matched by API group, kind, namespace and name; unchanged output yields no findings.
 */
export function checkUpgrade(before: readonly ManifestObject[], after: readonly ManifestObject[], options: UpgradeCheckOptions = {}): Finding[] {
  const previous = new Map(before.map((o) => [identity(o), o]));
  const seen = new Set<string>();
  const added: ManifestObject[] = [];
  const out: Finding[] = [];
  for (const obj of after) {
    const key = identity(obj);
    const old = previous.get(key) as Json;
    if (!old) {
      added.push(obj);
      continue;
    }
    seen.add(key);
    const now = obj as Json;
    switch (obj.kind) {
      case 'StatefulSet':
        out.push(...statefulSetChanges(old, now, obj), ...scaleDownWarnings(old, now, obj));
        out.push(...statefulSetDataPathChanges(old, now, obj).map((c) => finding(c.rule, obj, c.path, c.message)));
        break;
      case 'StorageClass':
        out.push(...fieldChanges('upgrade/storageclass-immutable', old, now, obj, STORAGECLASS_IMMUTABLE,
          'create the StorageClass under a new name (StorageClassPack names carry a version suffix: bump it); existing claims keep the old class, new claims use the new one. ' +
          'To change IOPS or throughput of live volumes, give the claims a new VolumeAttributesClass instead (Kubernetes 1.34+, EBS, GCE PD/Hyperdisk, Azure Disk).'));
        break;
      case 'VolumeAttributesClass':
        out.push(...fieldChanges('upgrade/volumeattributesclass-immutable', old, now, obj, ATTRIBUTESCLASS_IMMUTABLE,
          'create the VolumeAttributesClass under a new name (StorageClassPack names it after its parameters) and point the claims at it; claims may change volumeAttributesClassName.'));
        break;
      case 'VolumeSnapshotClass':
        out.push(...fieldChanges('upgrade/snapshotclass-immutable', old, now, obj, SNAPSHOTCLASS_IMMUTABLE,
          'create the VolumeSnapshotClass under a new name and point new VolumeSnapshots at it; existing snapshots keep the old class.'));
        break;
      case 'PersistentVolumeClaim':
        out.push(...claimChanges(old, now, obj));
        break;
      case 'Service':
        out.push(...serviceChanges(old, now, obj));
        out.push(...serviceTypeChanges(old, now, obj).map((c) => finding(c.rule, obj, c.path, c.message)));
        break;
      case 'Job':
        out.push(...jobChanges(old, now, obj));
        break;
      default:
        if (SELECTOR_KINDS.has(obj.kind)) {
          out.push(...changesUnder(old.spec, now.spec, ['selector'], 'spec').map((c) => finding('upgrade/selector-immutable', obj, c.path,
            `changes ${show(c.before)} -> ${show(c.after)}, which the API server refuses (field is immutable). ` +
            `Safe path: create the ${obj.kind} under a new name with the new selector, then remove the old one.`)));
        }
    }
  }
  const removed = before.filter((o) => !seen.has(identity(o)));
  out.push(...removalWarnings(removed, added));
  return acknowledge(out, before, options.acknowledge ?? []);
}

/** Acknowledged data-path findings become warnings; an acknowledgement that matches nothing is a warning (a typo is visible, not silent). */
function acknowledge(findings: Finding[], before: readonly ManifestObject[], acks: readonly string[]): Finding[] {
  if (!acks.length) return findings;
  const used = new Set<string>();
  const byObject = new Map(before.map((o) => [describeObject(o), o]));
  const out = findings.map((f) => {
    const obj = byObject.get(f.object);
    const id = obj && ACKNOWLEDGEABLE_RULES.has(f.rule) ? acknowledgementId(f.rule, obj) : undefined;
    if (!id || !acks.includes(id)) return f;
    used.add(id);
    return { ...f, severity: 'warning' as const, message: `${f.message} Acknowledged (${id}).` };
  });
  for (const ack of acks.filter((a) => !used.has(a))) {
    out.push({ rule: 'upgrade/acknowledgement', upstream: UPGRADE_RULES['upgrade/acknowledgement'].upstream, severity: 'warning', object: ack, message:
      `acknowledgement ${JSON.stringify(ack)} matches no rename or namespace move in this change; remove it, or copy the id the guard prints (<rule>/<namespace>/<name>, e.g. statefulset-renamed/ml-db/postgres)` });
  }
  return out;
}
