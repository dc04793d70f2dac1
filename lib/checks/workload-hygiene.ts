/**
 * Workload hygiene that holds for every controller, not only StatefulSets: containers declare what they need
 * (requests, a memory limit, only resource names the API server accepts), serving containers say when they are
 * ready, images are pinned, selectors select their own template, and Services select something.
 */
import { type Finding, finding } from './finding';
import { joinPath } from './json-path';
import { namespaceOf } from './object-identity';
import { formatLabels, type LabelSelector, selectorMatches } from './label-selector';
import { type Json, ManifestIndex, type ManifestObject, type PodTemplateRef, podContainers } from './manifest-index';
import { DNS_1123_SUBDOMAIN_PATTERN } from '../names';

/** Controllers whose `spec.selector` must select their own `spec.template` (the API server rejects otherwise). */
const SELECTOR_KINDS = new Set(['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet']);
/** Long-running serving workloads: a container with ports and no readiness probe receives traffic before it is ready. */
const READINESS_KINDS = new Set(['StatefulSet', 'Deployment']);

/** kube-apiserver validateContainerResourceName: standard container resources, hugepages, or a domain-qualified name. */
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const QUALIFIED_NAME = new RegExp(`^(${DNS_1123_SUBDOMAIN_PATTERN})\\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`);

export function isValidContainerResourceName(name: string): boolean {
  if (STANDARD_CONTAINER_RESOURCES.has(name)) return true;
  if (/^hugepages-[0-9]+(\.[0-9]+)?[KMGTPE]i?$/.test(name)) return true;
  const m = QUALIFIED_NAME.exec(name);
  // Extended resources must carry a domain outside kubernetes.io (that namespace is reserved for the standard ones).
  return !!m && m[1].includes('.') && !/(^|\.)kubernetes\.io$/.test(m[1]);
}

/** `repo`, `repo:tag`, `host:5000/repo:tag`, `repo@sha256:...` -> tag/digest. */
export function parseImage(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const ref = at >= 0 ? image.slice(0, at) : image;
  const colon = ref.lastIndexOf(':');
  const tag = colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
  return { tag, digest };
}

function checkContainers(t: PodTemplateRef, out: Finding[]): void {
  for (const { container: c, field, index: i, path } of podContainers(t, ['initContainers', 'containers'])) {
    const who = `container "${c?.name ?? `#${i}`}"`;
    const requests: Json = c?.resources?.requests ?? {};
    const limits: Json = c?.resources?.limits ?? {};
    const resPath = joinPath(path, 'resources');
    // A limit without a request defaults the request to the limit, which satisfies the scheduler.
    if (requests.cpu === undefined && limits.cpu === undefined) {
      out.push(finding('container-resources/cpu-request', t.owner, joinPath(resPath, 'requests', 'cpu'),
        `${who} has no CPU request; set resources.requests.cpu so the scheduler reserves CPU for it`));
    }
    if (requests.memory === undefined && limits.memory === undefined) {
      out.push(finding('container-resources/memory-request', t.owner, joinPath(resPath, 'requests', 'memory'),
        `${who} has no memory request; set resources.requests.memory so the scheduler reserves memory for it`));
    }
    if (limits.memory === undefined) {
      out.push(finding('container-resources/memory-limit', t.owner, joinPath(resPath, 'limits', 'memory'),
        `${who} has no memory limit; set resources.limits.memory so a leak is OOM-killed in its own container, not the node`));
    }
    for (const [section, map] of [['requests', requests], ['limits', limits]] as const) {
      for (const name of Object.keys(map)) {
        if (!isValidContainerResourceName(name)) {
          out.push(finding('container-resources/unknown-resource', t.owner, joinPath(resPath, section, name),
            `${who} ${section} unknown resource "${name}"; containers may use cpu, memory, ephemeral-storage, hugepages-<size> ` +
            'or a domain-qualified extended resource (e.g. nvidia.com/gpu); persistent disk belongs in a PersistentVolumeClaim ' +
            '(volumeClaimTemplates), scratch space in ephemeral-storage'));
        }
      }
    }
    if (field === 'containers' && READINESS_KINDS.has(t.owner.kind) && Array.isArray(c?.ports) && c.ports.length > 0 && !c.readinessProbe) {
      out.push(finding('probes/readiness', t.owner, joinPath(path, 'readinessProbe'),
        `${who} serves ports ${c.ports.map((p: Json) => p?.containerPort).join(', ')} but has no readinessProbe; add one so Services only route to ready pods`));
    }
    const image = typeof c?.image === 'string' ? c.image : undefined;
    if (image) {
      const { tag, digest } = parseImage(image);
      if (!digest && !tag) {
        out.push(finding('image/tag', t.owner, joinPath(path, 'image'),
          `${who} image "${image}" has no tag, so it pulls :latest; pin a version tag or a digest (e.g. ${image}:1.2.3)`));
      } else if (!digest && tag === 'latest') {
        out.push(finding('image/tag', t.owner, joinPath(path, 'image'),
          `${who} image "${image}" uses the mutable tag latest; pin a version tag or a digest`));
      }
    }
  }
}

function checkSelector(t: PodTemplateRef, out: Finding[]): void {
  if (!SELECTOR_KINDS.has(t.owner.kind)) return;
  const selector: LabelSelector | undefined = (t.owner as Json).spec?.selector;
  if (!selector) return; // a missing selector is a schema error
  if (!selectorMatches(selector, t.labels)) {
    const shown = selector.matchExpressions?.length ? `${formatLabels(selector.matchLabels)} + ${selector.matchExpressions.length} matchExpressions` : formatLabels(selector.matchLabels);
    out.push(finding('workload/selector-matches-template', t.owner, 'spec.selector',
      `spec.selector ${shown} does not select the pod template labels ${formatLabels(t.labels)}; add the selector's labels to ${joinPath(t.path, 'metadata', 'labels')}`));
  }
}

/** kube-linter dangling-service: a Service with a selector must select some pod template in its namespace. */
function checkServices(index: ManifestIndex, out: Finding[]): void {
  for (const svc of index.ofKind('Service')) {
    const spec: Json = (svc as Json).spec ?? {};
    const selector: Json = spec.selector;
    if (spec.type === 'ExternalName' || !selector || Object.keys(selector).length === 0) continue; // manual endpoints
    const ns = namespaceOf(svc) ?? 'default';
    if (index.templatesSelectedByMap(ns, selector).length === 0) {
      out.push(finding('service/dangling', svc, 'spec.selector',
        `selector ${formatLabels(selector)} selects no pod template in namespace ${ns}; fix the selector or the workload's template labels`));
    }
  }
}

export function checkWorkloadHygiene(objects: readonly ManifestObject[]): Finding[] {
  const index = ManifestIndex.of(objects);
  const out: Finding[] = [];
  for (const t of index.podTemplates) {
    checkSelector(t, out);
    checkContainers(t, out);
  }
  checkServices(index, out);
  return out;
}
