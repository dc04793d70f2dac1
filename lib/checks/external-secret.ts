/**
 * ExternalSecrets must name a store and keys: the CRD schema accepts empty strings, but the external-secrets
 * controller then fails every refresh (`SecretStore "" not found`, `remoteRef.key` empty), the target Secret never
 * appears and every pod mounting it stays in ContainerCreating.
 */
import { configKeyProblem } from './config-keys';
import { type Finding, finding } from './finding';
import { joinPath } from './json-path';
import type { Json, ManifestObject } from './manifest-index';

function empty(v: unknown): boolean {
  return typeof v !== 'string' || v.trim() === '';
}

/** `externalsecret/empty-ref` (and `config/key` on target keys) over every ExternalSecret. */
export function checkExternalSecrets(objects: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  for (const obj of objects) {
    if (obj?.kind !== 'ExternalSecret' || !String(obj.apiVersion).startsWith('external-secrets.io/')) continue;
    const spec: Json = (obj as Json).spec ?? {};
    if (empty(spec.secretStoreRef?.name)) {
      out.push(finding('externalsecret/empty-ref', obj, 'spec.secretStoreRef.name',
        `secretStoreRef.name is ${JSON.stringify(spec.secretStoreRef?.name ?? null)}; name the (Cluster)SecretStore that holds the secret`));
    }
    const data: Json[] = Array.isArray(spec.data) ? spec.data : [];
    data.forEach((d, i) => {
      if (empty(d?.remoteRef?.key)) {
        out.push(finding('externalsecret/empty-ref', obj, joinPath('spec', 'data', i, 'remoteRef', 'key'),
          `remoteRef.key is ${JSON.stringify(d?.remoteRef?.key ?? null)}; set the key (path) of the secret in the external store`));
      }
      if (empty(d?.secretKey)) {
        out.push(finding('externalsecret/empty-ref', obj, joinPath('spec', 'data', i, 'secretKey'),
          `secretKey is ${JSON.stringify(d?.secretKey ?? null)}; set the key the value gets in the target Secret`));
      } else {
        const problem = configKeyProblem(d.secretKey);
        if (problem) out.push(finding('config/key', obj, joinPath('spec', 'data', i, 'secretKey'), problem));
      }
    });
    (Array.isArray(spec.dataFrom) ? spec.dataFrom : []).forEach((d: Json, i: number) => {
      for (const how of ['extract', 'find']) {
        if (d?.[how] && how === 'extract' && empty(d.extract.key)) {
          out.push(finding('externalsecret/empty-ref', obj, joinPath('spec', 'dataFrom', i, 'extract', 'key'),
            `dataFrom[${i}].extract.key is ${JSON.stringify(d.extract.key ?? null)}; set the key of the secret to extract`));
        }
      }
    });
    if (!data.length && !(Array.isArray(spec.dataFrom) && spec.dataFrom.length)) {
      out.push(finding('externalsecret/empty-ref', obj, 'spec.data',
        'spec.data and spec.dataFrom are both empty, so the target Secret gets no keys; list the keys to fetch in data'));
    }
  }
  return out;
}
