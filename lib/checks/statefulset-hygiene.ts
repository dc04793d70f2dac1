/**
 * StatefulSet hygiene: the governing Service that gives pods their stable DNS names, claim templates that GitOps
 * tooling can diff, and storage classes that exist. `checkStatefulSetHygiene` (registry.ts) runs these with the
 * general workload, disruption-budget, naming and secret rules, so one call covers every hygiene rule of a render.
 */
import { type Finding, finding } from './finding';
import { joinPath } from './json-path';
import { namespaceOf } from './object-identity';
import { formatLabels, mapSelects } from './label-selector';
import { type Json, ManifestIndex, type ManifestObject } from './manifest-index';

function checkGoverningService(index: ManifestIndex, sts: ManifestObject, out: Finding[]): void {
  const spec: Json = (sts as Json).spec ?? {};
  const ns = namespaceOf(sts) ?? 'default';
  const labels = spec.template?.metadata?.labels ?? {};
  const serviceName = spec.serviceName;
  if (typeof serviceName !== 'string' || serviceName === '') {
    out.push(finding('statefulset/service-name', sts, 'spec.serviceName',
      'spec.serviceName is unset; point it at a headless Service (clusterIP: None) selecting the pods, which gives them stable DNS names'));
    return;
  }
  const svc = index.get('Service', ns, serviceName);
  if (!svc) {
    out.push(finding('statefulset/service-name', sts, 'spec.serviceName',
      `governing Service "${serviceName}" does not exist in namespace ${ns}; create a headless Service (clusterIP: None) named ${serviceName} selecting ${formatLabels(labels)}`));
    return;
  }
  const svcSpec: Json = (svc as Json).spec ?? {};
  if (svcSpec.clusterIP !== 'None') {
    out.push(finding('statefulset/service-name', sts, 'spec.serviceName',
      `governing Service ${ns}/${serviceName} is not headless (clusterIP: ${svcSpec.clusterIP === undefined ? 'unset' : JSON.stringify(svcSpec.clusterIP)}); ` +
      'set clusterIP: None so each pod gets its own DNS record'));
  }
  const selector = svcSpec.selector ?? {};
  if (Object.keys(selector).length === 0 || !mapSelects(selector, labels)) {
    out.push(finding('statefulset/service-name', sts, 'spec.serviceName',
      `governing Service ${ns}/${serviceName} selector ${formatLabels(selector)} does not select the pod template labels ${formatLabels(labels)}; ` +
      'make the Service select the StatefulSet pods'));
  }
}

function checkStorageClass(index: ManifestIndex, obj: ManifestObject, path: string, storageClassName: unknown, out: Finding[]): void {
  // Unset means the cluster default class; "" means static binding with no class. Both are deliberate.
  if (typeof storageClassName !== 'string' || storageClassName === '') return;
  if (!index.get('StorageClass', undefined, storageClassName)) {
    out.push(finding('storage/storage-class-exists', obj, path,
      `storageClassName "${storageClassName}" names no StorageClass in this render; the claim would stay Pending: add the StorageClass or fix the name`));
  }
}

function checkClaimTemplates(index: ManifestIndex, sts: ManifestObject, out: Finding[]): void {
  const templates: Json[] = (sts as Json).spec?.volumeClaimTemplates;
  if (!Array.isArray(templates)) return;
  templates.forEach((vct, i) => {
    const path = joinPath('spec', 'volumeClaimTemplates', i);
    if (vct?.apiVersion !== 'v1' || vct?.kind !== 'PersistentVolumeClaim') {
      out.push(finding('statefulset/volume-claim-template-type-meta', sts, path,
        `volumeClaimTemplates[${i}] ("${vct?.metadata?.name}") lacks apiVersion: v1 and kind: PersistentVolumeClaim; the API server adds them, ` +
        'so Argo CD shows the StatefulSet OutOfSync forever: set both'));
    }
    checkStorageClass(index, sts, joinPath(path, 'spec', 'storageClassName'), vct?.spec?.storageClassName, out);
  });
}

/** Rules specific to StatefulSets and their claims (`checkStatefulSetHygiene` runs the full hygiene set). */
export function checkStatefulSets(objects: readonly ManifestObject[]): Finding[] {
  const index = ManifestIndex.of(objects);
  const out: Finding[] = [];
  for (const sts of index.ofKind('StatefulSet')) {
    checkGoverningService(index, sts, out);
    checkClaimTemplates(index, sts, out);
  }
  for (const pvc of index.ofKind('PersistentVolumeClaim')) {
    checkStorageClass(index, pvc, 'spec.storageClassName', (pvc as Json).spec?.storageClassName, out);
  }
  return out;
}
