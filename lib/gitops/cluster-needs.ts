/**
 * "What this cluster needs": the prerequisites a render relies on, read from the rendered objects and the profile
 * (which knows the drivers, disk families and GPU setup): CSI drivers, snapshot CRDs and controller, the nodes each
 * storage tier attaches to (and whether every workload using it carries that affinity), GPU node pools, operators
 * and the Secrets the render references but does not create.
 */
import { type ManifestObject, ManifestIndex } from '../checks';
import { Profile, StorageTierName, STORAGE_TIER_NAMES } from '../profiles';

type Json = any;

/** Label StorageClassPack puts on its StorageClasses, naming the tier. */
const TIER_LABEL = 'ml.cdk8s.io/storage-tier';

/** Where a workload's pods mount a tier, and whether they can be placed on nodes that attach it. */
export interface TierPlacement {
  readonly tier: StorageTierName;
  readonly storageClass: string;
  /** `<kind> <namespace>/<name>` of the workload. */
  readonly workload: string;
  /** Node label requirements the tier's disks impose (empty: any node). */
  readonly requires: readonly { readonly key: string; readonly values: readonly string[] }[];
  /** Why the tier restricts nodes, or undefined when any node attaches it. */
  readonly reason?: string;
  /** Every required node selector term of the pod carries every requirement. */
  readonly carriesAffinity: boolean;
  /**
   * Whether the cluster's general-purpose pool (its declared `nodeFamilies`) attaches the tier: `true` for tiers
   * without requirements, `false`/`true` when the families are declared, `undefined` when they are not.
   */
  readonly defaultPoolAttaches?: boolean;
}

/** An operator (or controller) whose API the render uses. */
export interface OperatorNeed {
  readonly name: string;
  /** API groups of the render that need it. */
  readonly apiGroups: readonly string[];
}

/** A Secret the render references but does not create. */
export interface SecretNeed {
  readonly namespace: string;
  readonly name: string;
  /** Keys read, sorted (empty when mounted whole or read with envFrom). */
  readonly keys: readonly string[];
}

const OPERATORS: ReadonlyArray<{ readonly group: RegExp; readonly name: string }> = [
  { group: /^cert-manager\.io$/, name: 'cert-manager' },
  { group: /^external-secrets\.io$/, name: 'External Secrets Operator' },
  { group: /^jobset\.x-k8s\.io$/, name: 'JobSet controller' },
  { group: /^kubeflow\.org$/, name: 'Kubeflow training operator' },
  { group: /^monitoring\.coreos\.com$/, name: 'Prometheus Operator' },
  { group: /^argoproj\.io$/, name: 'Argo CD' },
];

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a render needs of its cluster beyond plain Kubernetes. */
export class ClusterNeeds {
  /** Computes the needs of `objects` (one profile's render) on `profile`. */
  public static of(objects: readonly ManifestObject[], profile: Profile): ClusterNeeds {
    return new ClusterNeeds(objects, profile);
  }

  /** CSI provisioners of the render's StorageClasses and VolumeSnapshotClasses, with how to get them. */
  public readonly csiDrivers: readonly { readonly provisioner: string; readonly setup: string; readonly tiers: readonly string[] }[];
  /** How to get the snapshot CRDs and controller, when the render has VolumeSnapshot(Class)es or takes snapshots. */
  public readonly snapshots?: { readonly kinds: readonly string[]; readonly setup: string };
  /** Every (workload, tier) pair with its placement. */
  public readonly placements: readonly TierPlacement[];
  /** Extended resources (GPUs) requested, per workload. */
  public readonly gpuWorkloads: readonly { readonly workload: string; readonly resources: Readonly<Record<string, number>> }[];
  public readonly operators: readonly OperatorNeed[];
  public readonly secrets: readonly SecretNeed[];

  private constructor(objects: readonly ManifestObject[], public readonly profile: Profile) {
    const index = ManifestIndex.of(objects);
    const classTier = new Map<string, StorageTierName>();
    const classDriver = new Map<string, string>();
    for (const sc of index.ofKind('StorageClass') as Json[]) {
      const tier = sc.metadata?.labels?.[TIER_LABEL];
      if (STORAGE_TIER_NAMES.includes(tier)) classTier.set(sc.metadata.name, tier);
      classDriver.set(sc.metadata.name, sc.provisioner);
    }
    const drivers = new Map<string, Set<string>>();
    for (const [name, provisioner] of classDriver) {
      const set = drivers.get(provisioner) ?? new Set<string>();
      set.add(classTier.get(name) ?? name);
      drivers.set(provisioner, set);
    }
    const snapshotClasses = index.ofKind('VolumeSnapshotClass') as Json[];
    for (const vsc of snapshotClasses) if (!drivers.has(vsc.driver)) drivers.set(vsc.driver, new Set());
    const knownDrivers = [...profile.tierNames.map((t) => profile.tier(t).driver), ...(profile.snapshotDriver ? [profile.snapshotDriver] : [])];
    this.csiDrivers = [...drivers.entries()].sort(([a], [b]) => cmp(a, b)).map(([provisioner, tiers]) => ({
      provisioner,
      setup: knownDrivers.find((d) => d.provisioner === provisioner)?.setup ?? `install the ${provisioner} CSI driver`,
      tiers: [...STORAGE_TIER_NAMES.filter((t) => tiers.has(t)), ...[...tiers].filter((t) => !STORAGE_TIER_NAMES.includes(t as StorageTierName)).sort(cmp)],
    }));

    const snapshotKinds = [...new Set(objects.filter((o) => groupOf(o.apiVersion) === 'snapshot.storage.k8s.io').map((o) => o.kind))].sort(cmp);
    if (snapshotKinds.length) {
      this.snapshots = {
        kinds: snapshotKinds,
        setup: profile.snapshotDriver?.snapshotSetup ?? 'install the external-snapshotter v8 CRDs and snapshot-controller',
      };
    }

    // Claims of each pod template: templates, ephemeral volumes, and standalone claims it mounts.
    const pvcClass = new Map<string, string>();
    for (const pvc of index.ofKind('PersistentVolumeClaim') as Json[]) {
      pvcClass.set(`${pvc.metadata?.namespace ?? 'default'}/${pvc.metadata?.name}`, pvc.spec?.storageClassName);
    }
    const families = profile.cluster?.nodeFamilies;
    const zones = profile.cluster?.zones;
    // Per requirement: true/false when the cluster config says what its default pool is, undefined when it does not.
    const poolAttaches = (requires: readonly { key: string; values: readonly string[] }[]): boolean | undefined => {
      const verdicts = requires.map((r) => r.key.endsWith('/machine-family') ? (families ? families.some((f) => r.values.includes(f)) : undefined)
        : r.key === profile.zoneTopologyKey ? (zones ? zones.some((z) => r.values.includes(z)) : undefined)
          : undefined);
      if (verdicts.includes(false)) return false;
      return verdicts.includes(undefined) ? undefined : true;
    };
    const placements: TierPlacement[] = [];
    const gpuWorkloads: { workload: string; resources: Record<string, number> }[] = [];
    for (const template of index.podTemplates) {
      const owner = template.owner as Json;
      const workload = `${owner.kind} ${template.namespace}/${owner.metadata?.name}`;
      const classes = new Set<string>();
      for (const t of owner.kind === 'StatefulSet' ? owner.spec?.volumeClaimTemplates ?? [] : []) classes.add(t.spec?.storageClassName);
      for (const v of template.spec?.volumes ?? []) {
        if (v.ephemeral?.volumeClaimTemplate) classes.add(v.ephemeral.volumeClaimTemplate.spec?.storageClassName);
        if (v.persistentVolumeClaim) classes.add(pvcClass.get(`${template.namespace}/${v.persistentVolumeClaim.claimName}`) as string);
      }
      const terms: Json[] = template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
      for (const storageClass of [...classes].filter((c) => c && classTier.has(c)).sort(cmp)) {
        const tier = classTier.get(storageClass)!;
        const affinity = profile.hasTier(tier) ? profile.tier(tier).nodeAffinity : undefined;
        const requires = affinity?.requirements ?? [];
        const carries = requires.every((r) => terms.length > 0 && terms.every((term) => (term.matchExpressions ?? []).some((e: Json) =>
          e.key === r.key && e.operator === 'In' && e.values.length > 0 && e.values.every((v: string) => r.values.includes(v)))));
        placements.push({ tier, storageClass, workload, requires, reason: affinity?.reason, carriesAffinity: carries, defaultPoolAttaches: poolAttaches(requires) });
      }
      const extended: Record<string, number> = {};
      for (const c of [...(template.spec?.initContainers ?? []), ...(template.spec?.containers ?? [])]) {
        for (const [name, value] of Object.entries(c.resources?.requests ?? {})) {
          if (!['cpu', 'memory', 'ephemeral-storage'].includes(name) && !name.startsWith('hugepages-')) extended[name] = (extended[name] ?? 0) + Number(value);
        }
      }
      if (Object.keys(extended).length) gpuWorkloads.push({ workload, resources: extended });
    }
    this.placements = placements.sort((a, b) => cmp(a.tier, b.tier) || cmp(a.workload, b.workload));
    this.gpuWorkloads = gpuWorkloads.sort((a, b) => cmp(a.workload, b.workload));

    const operators = new Map<string, Set<string>>();
    for (const o of objects) {
      const group = groupOf(o.apiVersion);
      const op = OPERATORS.find((x) => x.group.test(group));
      if (!op) continue;
      const set = operators.get(op.name) ?? new Set<string>();
      set.add(group);
      operators.set(op.name, set);
    }
    this.operators = [...operators.entries()].sort(([a], [b]) => cmp(a, b)).map(([name, groups]) => ({ name, apiGroups: [...groups].sort(cmp) }));

    // Secrets referenced by pods but not rendered (the render never holds Secret data).
    const rendered = new Set(index.ofKind('Secret').map((s) => `${s.metadata?.namespace ?? 'default'}/${s.metadata?.name}`));
    const externalTargets = new Set(objects.filter((o) => o.kind === 'ExternalSecret')
      .map((o) => `${o.metadata?.namespace ?? 'default'}/${(o as Json).spec?.target?.name ?? o.metadata?.name}`));
    const secrets = new Map<string, Set<string>>();
    const need = (namespace: string, name: string | undefined, key?: string) => {
      if (!name) return;
      const id = `${namespace}/${name}`;
      if (rendered.has(id) || externalTargets.has(id)) return;
      const keys = secrets.get(id) ?? new Set<string>();
      if (key) keys.add(key);
      secrets.set(id, keys);
    };
    for (const template of index.podTemplates) {
      const ns = template.namespace;
      for (const c of [...(template.spec?.initContainers ?? []), ...(template.spec?.containers ?? [])]) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) need(ns, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
        for (const e of c.envFrom ?? []) if (e.secretRef) need(ns, e.secretRef.name);
      }
      for (const v of template.spec?.volumes ?? []) {
        if (v.secret) need(ns, v.secret.secretName);
        for (const s of v.projected?.sources ?? []) if (s.secret) need(ns, s.secret.name);
      }
    }
    this.secrets = [...secrets.entries()].sort(([a], [b]) => cmp(a, b)).map(([id, keys]) => {
      const [namespace, name] = id.split('/');
      return { namespace, name, keys: [...keys].sort(cmp) };
    });
  }

  /** Placements whose pods cannot attach their tier's disks: the tier restricts nodes and the pods do not follow. */
  public get unplaceable(): readonly TierPlacement[] {
    return this.placements.filter((p) => p.requires.length && !p.carriesAffinity);
  }

  /** The section as Markdown lines (`## What this cluster needs`). */
  public toMarkdown(): string[] {
    const lines: string[] = ['## What this cluster needs', ''];
    const cluster = this.profile.cluster;
    lines.push(cluster
      ? `Cluster inputs come from \`ClusterConfig '${cluster.name}'\`.`
      : 'No `ClusterConfig` is declared for this profile: features that need cluster inputs are left out.');
    for (const o of this.profile.omissions) lines.push(`- Left out: ${o}.`);
    lines.push('', '### CSI drivers', '');
    if (this.csiDrivers.length) {
      lines.push(row(['Provisioner', 'Tiers', 'Setup and version']), row(['---', '---', '---']));
      for (const d of this.csiDrivers) lines.push(row([`\`${d.provisioner}\``, d.tiers.join(', ') || '(snapshots)', d.setup]));
    } else {
      lines.push('No StorageClasses are rendered.');
    }
    lines.push('', '### Snapshot CRDs and controller', '');
    lines.push(this.snapshots
      ? `The render uses ${this.snapshots.kinds.map((k) => `\`${k}\``).join(', ')} (snapshot.storage.k8s.io/v1): ${this.snapshots.setup}.`
      : 'None: the render takes no CSI snapshots.');

    lines.push('', '### Nodes per storage tier', '');
    const tiers = this.profile.tierNames;
    lines.push(row(['Tier', 'Disk', 'Attaches to']), row(['---', '---', '---']));
    for (const t of tiers) {
      const spec = this.profile.tier(t);
      const where = spec.nodeAffinity
        ? `${spec.nodeAffinity.reason}: pods require ${spec.nodeAffinity.requirements.map((r) => `\`${r.key}\` in ${r.values.join(', ')}`).join(' and ')}`
        : 'any node of the general-purpose pools';
      lines.push(row([t, spec.description ?? spec.driver.provisioner, where]));
    }
    lines.push('');
    if (this.placements.length) {
      lines.push(row(['Workload', 'Tier', 'Node affinity the tier needs', 'Default node pool']), row(['---', '---', '---', '---']));
      for (const p of this.placements) {
        const affinity = !p.requires.length ? 'none needed' : p.carriesAffinity ? 'carried' : '**missing: pods will not attach the volume**';
        const pool = p.defaultPoolAttaches === undefined
          ? `needs nodes with ${p.requires.map((r) => `${r.key} in ${r.values.join(', ')}`).join(' and ')}`
          : p.defaultPoolAttaches ? 'attaches' : `does not attach: add a node pool with ${p.requires.map((r) => `${r.key} in ${r.values.join(', ')}`).join(' and ')}`;
        lines.push(row([p.workload, p.tier, affinity, pool]));
      }
    } else {
      lines.push('No workload mounts a storage tier.');
    }

    lines.push('', '### GPU node pools', '');
    if (this.gpuWorkloads.length) {
      const gpu = this.profile.gpu;
      for (const w of this.gpuWorkloads) {
        lines.push(`- ${w.workload}: ${Object.entries(w.resources).map(([k, v]) => `${v} \`${k}\``).join(', ')} per pod.`);
      }
      lines.push(`- Tolerated taints: ${this.profile.gpuTolerations.map((t) => `\`${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}\``).join(', ') || 'none'}.`);
      if (gpu?.setup) lines.push(`- Setup: ${gpu.setup}.`);
      const pools = cluster?.gpuPools ?? [];
      if (pools.length) {
        for (const p of pools) {
          const labels = Object.entries(p.nodeLabels ?? {}).map(([k, v]) => `\`${k}=${v}\``).join(', ');
          lines.push(`- Pool \`${p.name}\`${p.machineType ? ` (${p.machineType})` : ''}: ${labels ? `pods require ${labels}` : 'no label requirement: pods are placed by their GPU request'}.`);
        }
      } else {
        lines.push('- No GPU pools are declared (ClusterConfig `gpuPools`): pods are placed by their GPU request and the taints above.');
      }
    } else {
      lines.push('None: no workload requests GPUs.');
    }

    lines.push('', '### Operators', '');
    lines.push(this.operators.length
      ? this.operators.map((o) => `- ${o.name} (${o.apiGroups.join(', ')})`).join('\n')
      : 'None: the render uses only built-in Kubernetes APIs (and the snapshot API above).');

    lines.push('', '### Secrets', '');
    if (this.secrets.length) {
      lines.push('Created outside this render (see [SECRETS.md](SECRETS.md) for what each holds and how to create it):', '');
      lines.push(row(['Namespace', 'Secret', 'Keys read']), row(['---', '---', '---']));
      for (const s of this.secrets) lines.push(row([s.namespace, s.name, s.keys.join(', ') || '(whole Secret)']));
    } else {
      lines.push('None: the render references no Secret it does not create.');
    }
    lines.push('');
    return lines;
  }
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}
