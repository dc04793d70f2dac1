/**
 * ConfigMap and Secret keys as kube-apiserver validates them (validation.IsConfigMapKey): they become file names
 * when mounted, so only letters, digits, '-', '_' and '.', at most 253 characters, never '.' or '..' or a '..' prefix.
 */
import { type Finding, finding } from './finding';
import { joinPath } from './json-path';
import type { Json, ManifestObject } from './manifest-index';

const KEY = /^[-._a-zA-Z0-9]+$/;

/** Why `key` cannot be a ConfigMap or Secret key (with the fix), or undefined. */
export function configKeyProblem(key: string): string | undefined {
  const fix = `use letters, digits, '-', '_' and '.' only (e.g. ${JSON.stringify(key.replace(/[^-._a-zA-Z0-9]/g, '_').replace(/^\.\.?/, '_') || 'key')}), and mount nested paths with items[].path`;
  if (key.length === 0) return `key "" is empty; ${fix}`;
  if (key.length > 253) return `key ${JSON.stringify(key.slice(0, 40))}... is ${key.length} characters (at most 253)`;
  if (!KEY.test(key) || key === '.' || key === '..' || key.startsWith('..')) return `key ${JSON.stringify(key)} is not a valid ConfigMap/Secret key; ${fix}`;
  return undefined;
}

/** `config/key` over the keys of every ConfigMap (data, binaryData) and Secret (data, stringData). */
export function checkConfigKeys(objects: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  for (const obj of objects) {
    if (!obj || (obj.kind !== 'ConfigMap' && obj.kind !== 'Secret') || obj.apiVersion !== 'v1') continue;
    const sections = obj.kind === 'ConfigMap' ? ['data', 'binaryData'] : ['data', 'stringData'];
    const owner = new Map<string, string>();
    for (const section of sections) {
      const map: Json = (obj as Json)[section];
      if (!map || typeof map !== 'object') continue;
      for (const key of Object.keys(map)) {
        const problem = configKeyProblem(key);
        if (problem) out.push(finding('config/key', obj, joinPath(section, key), problem));
        const other = owner.get(key);
        if (obj.kind === 'ConfigMap' && other && other !== section) {
          out.push(finding('config/key', obj, joinPath(section, key), `key ${JSON.stringify(key)} is in both ${other} and ${section}; keep it in one of them`));
        }
        owner.set(key, section);
      }
    }
  }
  return out;
}
