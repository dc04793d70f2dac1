import { ManifestIndex, type ManifestObject, describeObject } from '../checks';

/** Loosely typed view of manifest fields (the gates already validated their shapes). */
type Json = any;

/** One place the output reads a Secret. */
export interface SecretReader {
  /** The object whose pods read it, e.g. `StatefulSet ml-db/postgres`. */
  readonly object: string;
  /** How: `env DB_PASSWORD (container postgres)`, `envFrom (container app)`, `volume creds`, `imagePullSecrets`. */
  readonly via: string;
}

/** A Secret the rendered output reads, and how it comes to exist. */
export interface SecretInventoryEntry {
  /** Namespace of the Secret (the readers' namespace). */
  readonly namespace: string;
  /** Name of the Secret. */
  readonly name: string;
  /** Keys read by name (sorted); a Secret read whole (`envFrom`, a volume without `items`) may need more. */
  readonly keys: readonly string[];
  /** Whether some reader takes the whole Secret (`envFrom`, a secret volume without `items`). */
  readonly readWhole: boolean;
  /** Who reads it, in output order. */
  readonly readBy: readonly SecretReader[];
  /** The ExternalSecret rendered for it (`ExternalSecret ml-db/postgres-credentials`); then nothing is to be created by hand. @default - none */
  readonly externalSecret?: string;
  /** The command creating it by hand, with placeholders; absent when an ExternalSecret is rendered for it. @default - none */
  readonly kubectl?: string;
}

/** File names the inventory is written to inside `dist/<profile>/`. */
export const SECRETS_FILES = {
  /** For people: a table and the commands. */
  markdown: 'SECRETS.md',
  /** For tools: `{ "secrets": SecretInventoryEntry[] }`. */
  json: 'secrets.json',
} as const;

interface Draft {
  namespace: string;
  name: string;
  keys: Set<string>;
  readWhole: boolean;
  readBy: SecretReader[];
}

/**
 * Every Secret a render reads (env `secretKeyRef`, `envFrom.secretRef`, `secret` and projected volumes,
 * `imagePullSecrets`), with its keys, its readers, and either the ExternalSecret rendered for it or a
 * `kubectl create secret` line with placeholders. Derived from the rendered objects only.
 */
export class SecretsInventory {
  /** Inventory of `objects` (one profile's render). */
  public static of(objects: readonly ManifestObject[]): SecretsInventory {
    const drafts = new Map<string, Draft>();
    const read = (namespace: string, name: string, keys: readonly string[], whole: boolean, reader: SecretReader) => {
      const id = `${namespace}/${name}`;
      let d = drafts.get(id);
      if (!d) drafts.set(id, (d = { namespace, name, keys: new Set(), readWhole: false, readBy: [] }));
      keys.forEach((k) => d!.keys.add(k));
      d.readWhole ||= whole;
      if (!d.readBy.some((r) => r.object === reader.object && r.via === reader.via)) d.readBy.push(reader);
    };
    for (const t of ManifestIndex.of(objects).podTemplates) {
      const object = describeObject(t.owner);
      const spec: Json = t.spec;
      const containers: Json[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
      for (const c of containers) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) read(t.namespace, ref.name, [ref.key], false, { object, via: `env ${e.name} (container ${c.name})${ref.optional ? ', optional' : ''}` });
        }
        for (const f of c.envFrom ?? []) {
          if (f.secretRef) read(t.namespace, f.secretRef.name, [], true, { object, via: `envFrom (container ${c.name})` });
        }
      }
      for (const v of spec.volumes ?? []) {
        if (v.secret) {
          const items: Json[] = v.secret.items ?? [];
          read(t.namespace, v.secret.secretName, items.map((i) => i.key), !items.length, { object, via: `volume ${v.name}` });
        }
        for (const source of v.projected?.sources ?? []) {
          if (!source.secret) continue;
          const items: Json[] = source.secret.items ?? [];
          read(t.namespace, source.secret.name, items.map((i) => i.key), !items.length, { object, via: `projected volume ${v.name}` });
        }
      }
      for (const p of spec.imagePullSecrets ?? []) read(t.namespace, p.name, ['.dockerconfigjson'], false, { object, via: 'imagePullSecrets' });
    }
    const external = new Map<string, ManifestObject>();
    for (const o of objects) {
      if (o.kind !== 'ExternalSecret') continue;
      const target = (o as Json).spec?.target?.name ?? o.metadata?.name;
      external.set(`${o.metadata?.namespace ?? 'default'}/${target}`, o);
    }
    const entries = [...drafts.values()]
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
      .map((d): SecretInventoryEntry => {
        const keys = [...d.keys].sort();
        const ext = external.get(`${d.namespace}/${d.name}`);
        return {
          namespace: d.namespace,
          name: d.name,
          keys,
          readWhole: d.readWhole,
          readBy: d.readBy,
          ...(ext ? { externalSecret: describeObject(ext) } : { kubectl: createCommand(d.namespace, d.name, keys) }),
        };
      });
    return new SecretsInventory(entries);
  }

  private constructor(
    /** Every Secret read, sorted by namespace and name. */
    public readonly entries: readonly SecretInventoryEntry[],
  ) {}

  /** The machine-readable inventory (`secrets.json`). */
  public toJson(): string {
    return `${JSON.stringify({ secrets: this.entries }, null, 2)}\n`;
  }

  /** The inventory for people (`SECRETS.md`). */
  public toMarkdown(title: string): string {
    const lines = [
      `# Secrets: ${title}`,
      '',
      'Every Secret this render reads. Nothing in the render contains secret data: create each Secret below before',
      'syncing (or let the External Secrets Operator create it from the ExternalSecret rendered for it).',
      'A Secret is namespaced: the same name in two namespaces is two Secrets.',
      '',
    ];
    if (!this.entries.length) return [...lines, 'This render reads no Secret.', ''].join('\n');
    lines.push('| namespace | Secret | keys | read by | provided by |', '|---|---|---|---|---|');
    for (const e of this.entries) {
      const keys = [...e.keys.map((k) => `\`${k}\``), ...(e.readWhole ? ['(read whole)'] : [])].join(', ');
      const readers = [...new Set(e.readBy.map((r) => r.object))].join('<br>');
      lines.push(`| ${e.namespace} | \`${e.name}\` | ${keys} | ${readers} | ${e.externalSecret ?? 'you (below)'} |`);
    }
    const manual = this.entries.filter((e) => e.kubectl);
    if (manual.length) {
      lines.push('', 'Create them (replace each `<...>`; passwords in connection URLs must be URL-safe):', '', '```sh');
      for (const e of manual) lines.push(e.kubectl!);
      lines.push('```');
    }
    lines.push('');
    return lines.join('\n');
  }
}

/** `kubectl create secret` with one placeholder per key; a pull secret is created with `docker-registry`. */
function createCommand(namespace: string, name: string, keys: readonly string[]): string {
  if (keys.length === 1 && keys[0] === '.dockerconfigjson') {
    return `kubectl -n ${namespace} create secret docker-registry ${name} --docker-server=<registry> --docker-username=<username> --docker-password=<password>`;
  }
  // Read whole (envFrom, a volume without items): the keys are the reader's business; one placeholder pair.
  const literals = keys.length ? keys.map((k) => `--from-literal=${k}=<${k}>`) : ['--from-literal=<key>=<value>'];
  return `kubectl -n ${namespace} create secret generic ${name} ${literals.join(' ')}`;
}
