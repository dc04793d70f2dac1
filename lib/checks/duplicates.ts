/**
 * One object per API group, kind, namespace and name. Two constructs rendering the same object (two databases
 * named `postgres` in one namespace, two `WorkloadNamespace('ml-db')`) make `kubectl kustomize` refuse the folder
 * ("may not add resource with an already registered id") and Argo CD apply whichever comes last.
 */
import { type Finding, finding } from './finding';
import { namespaceOf } from './object-identity';
import type { ManifestObject } from './manifest-index';

/** `group|Kind|namespace|name`: versions of one group are the same stored object. */
export function objectIdentity(obj: ManifestObject): string {
  const api = String(obj.apiVersion ?? '');
  const group = api.includes('/') ? api.split('/')[0] : '';
  return `${group}|${obj.kind}|${namespaceOf(obj) ?? ''}|${obj.metadata?.name ?? ''}`;
}

/** An object and where it comes from (a construct path, a file), for messages naming both sources. */
export interface SourcedObject {
  /** Where the object comes from, e.g. a construct path `databases/postgres/Workload/Resource`. */
  readonly source: string;
  /** The object (only apiVersion, kind and metadata name/namespace are read). */
  readonly object: ManifestObject;
}

function describe(obj: ManifestObject): string {
  const ns = namespaceOf(obj);
  return `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata?.name}`;
}

/** One line per duplicate: both sources, the object, the fix. */
export function duplicateObjectErrors(objects: readonly SourcedObject[]): string[] {
  const first = new Map<string, SourcedObject>();
  const out: string[] = [];
  for (const entry of objects) {
    const id = objectIdentity(entry.object);
    const prev = first.get(id);
    if (!prev) {
      first.set(id, entry);
      continue;
    }
    out.push(`[${entry.source}] name clash: renders ${describe(entry.object)}, which [${prev.source}] already renders (same apiVersion group, kind, namespace and name); ` +
      'give one of them another name or namespace, or create it once and pass it to both');
  }
  return out;
}

/** `objects/duplicate`: a second object of the same group, kind, namespace and name in one render. */
export function checkDuplicates(objects: readonly ManifestObject[]): Finding[] {
  const seen = new Map<string, number>();
  const out: Finding[] = [];
  objects.forEach((obj, i) => {
    if (!obj || typeof obj !== 'object') return;
    const id = objectIdentity(obj);
    const prev = seen.get(id);
    if (prev === undefined) {
      seen.set(id, i);
      return;
    }
    out.push(finding('objects/duplicate', obj, 'metadata.name',
      `name clash: object #${i + 1} of the render repeats object #${prev + 1} (same apiVersion group, kind, namespace and name ${JSON.stringify(obj.metadata?.name)}); rename one or render it once`));
  });
  return out;
}
