/**
 * Rendered manifests are committed to git and applied by Argo CD, so a Secret with literal data would publish the
 * credential. Secrets reach the cluster through ExternalSecret or are created out of band and referenced.
 */
import { type Finding, finding } from './finding';
import { type Json, ManifestIndex, type ManifestObject } from './manifest-index';

export function checkSecretLiterals(objects: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  for (const secret of ManifestIndex.of(objects).ofKind('Secret')) {
    for (const field of ['data', 'stringData']) {
      const map: Json = (secret as Json)[field];
      const keys = map && typeof map === 'object' ? Object.keys(map) : [];
      if (keys.length) {
        out.push(finding('secret/literal-data', secret, field,
          `${field} carries literal values for ${keys.join(', ')}; never commit secrets to git: reference an existing Secret or render an ExternalSecret`));
      }
    }
  }
  return out;
}
