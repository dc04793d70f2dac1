import { toYaml } from './yaml-emitter';

/** File name kustomize looks for. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * A `kustomization.yaml` listing `resources` (file names in the same folder), so `kubectl kustomize <folder>`
 * and Argo CD (which detects the file) build exactly the rendered objects, unchanged.
 */
export function kustomization(resources: readonly string[]): string {
  return toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] });
}
