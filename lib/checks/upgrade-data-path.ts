/**
 * Upgrade-guard rules for changes the API server accepts but the data does not survive: a database engine's major
 * version (PostgreSQL: the new server refuses the old data directory; MySQL, MariaDB, Redis: a downgrade), a MinIO pool's layout (MinIO refuses to start), and the
 * Service type changes a headless Service cannot make. Pure functions over two versions of one object.
 */
import type { Json, ManifestObject } from './manifest-index';
import type { UpgradeRuleId } from './rules';
import { parseImage } from './workload-hygiene';

export interface DataPathChange {
  readonly rule: UpgradeRuleId;
  /** JSON path in the new object. */
  readonly path: string;
  /** The one-line message with values and safe path. */
  readonly message: string;
}

type Family = 'postgres' | 'mysql' | 'mariadb' | 'redis';

/** A server image's engine and release line. */
export interface EngineVersion {
  /** `postgres`, `mysql`, `mariadb` or `redis`. */
  readonly family: Family;
  /** `16` (PostgreSQL, Redis) or `8.4` (MySQL/MariaDB release line). */
  readonly major: string;
}
const TITLE: Record<Family, string> = { postgres: 'PostgreSQL', mysql: 'MySQL', mariadb: 'MariaDB', redis: 'Redis' };

/** Engine family and major version of a server image (`postgres:16.4-bookworm` -> postgres 16), or undefined. */
export function engineOf(image: string): EngineVersion | undefined {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const repo = ref.slice(ref.lastIndexOf('/') + 1).replace(/:.*$/, '');
  const tag = parseImage(image).tag ?? '';
  const spilo = /^spilo-(\d+)$/.exec(repo);
  if (spilo) return { family: 'postgres', major: spilo[1] };
  let family: Family | undefined;
  if (/^(postgres|postgresql|patroni|postgres-patroni|patroni-postgres)$/.test(repo)) family = 'postgres';
  else if (repo === 'mysql' || repo === 'mysql-server') family = 'mysql';
  else if (repo === 'mariadb') family = 'mariadb';
  else if (repo === 'redis' || repo === 'valkey') family = 'redis';
  if (!family) return undefined;
  const v = /(\d+)(?:\.(\d+))?/.exec(tag);
  if (!v) return undefined;
  // PostgreSQL 10+ and Redis: the first number is the major; MySQL/MariaDB release lines are major.minor.
  const major = family === 'postgres' || family === 'redis' ? v[1] : `${v[1]}.${v[2] ?? '0'}`;
  return { family, major };
}

function versionCompare(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

function containers(obj: Json): Map<string, Json> {
  const list: Json[] = [...(obj?.spec?.template?.spec?.initContainers ?? []), ...(obj?.spec?.template?.spec?.containers ?? [])];
  return new Map(list.filter((c) => typeof c?.name === 'string').map((c) => [c.name, c]));
}

function engineChanges(before: Json, after: Json, obj: ManifestObject): DataPathChange[] {
  const out: DataPathChange[] = [];
  const old = containers(before);
  const name = obj.metadata?.name;
  for (const [cname, c] of containers(after)) {
    const was = old.get(cname);
    if (typeof was?.image !== 'string' || typeof c?.image !== 'string' || was.image === c.image) continue;
    const a = engineOf(was.image);
    const b = engineOf(c.image);
    if (!a || !b || a.family !== b.family || a.major === b.major) continue;
    const title = TITLE[a.family];
    const down = versionCompare(b.major, a.major) < 0;
    const path = `spec.template.spec.containers[${cname}].image`;
    if (a.family === 'postgres') {
      out.push({ rule: 'upgrade/engine-major', path, message:
        `changes ${title} ${a.major} -> ${b.major} (${was.image} -> ${c.image}); the new server refuses the data directory the old one wrote ` +
        `("database files are incompatible with server"), so every pod of ${name} crash-loops. Safe path: keep ${a.major} here; then either ` +
        `pg_upgrade (snapshot the claims, run pg_upgrade --link from ${a.major} to ${b.major} in a one-off Job on each data volume, then change the version), ` +
        `or dump/restore (render a new database on ${b.major} under a new name, pg_dumpall from this one into it, switch clients, remove this one)` });
    } else if (down) {
      out.push({ rule: 'upgrade/engine-major', path, message:
        `changes ${title} ${a.major} -> ${b.major} (${was.image} -> ${c.image}), a downgrade: ${title} refuses data files written by a newer release line. ` +
        `Safe path: keep ${a.major}; to go back, dump from this server and restore into a new ${b.major} server under a new name` });
    }
  }
  return out;
}

/** `minio server` flags that take a separate value (`--certs-dir /etc/minio/certs`): the value is not a drive. */
const MINIO_VALUE_FLAGS = new Set(['--address', '--console-address', '--certs-dir', '--config-dir', '-S', '--ftp', '--sftp']);

/**
 * The positional `minio server` arguments naming drives (`/data`, `minio-{0...3}.../data`), without the scheme:
 * turning TLS on (http -> https, with `--certs-dir`) keeps the erasure layout, which is what MinIO refuses to change.
 */
function minioPool(c: Json): string[] {
  const args: string[] = [...(c?.command ?? []), ...(c?.args ?? [])].map(String);
  return args
    .filter((a, i) => (a.startsWith('/') || /^https?:\/\//.test(a)) && !MINIO_VALUE_FLAGS.has(args[i - 1] ?? ''))
    .map((a) => a.replace(/^https?:\/\//, ''));
}

function minioChanges(before: Json, after: Json, obj: ManifestObject): DataPathChange[] {
  const old = containers(before);
  for (const [cname, c] of containers(after)) {
    const was = old.get(cname);
    const repo = (img: unknown) => String(img ?? '').replace(/[:@].*$/, '').split('/').pop();
    if (!was || repo(c.image) !== 'minio' || repo(was.image) !== 'minio') continue;
    const fromReplicas = before.spec?.replicas ?? 1;
    const toReplicas = after.spec?.replicas ?? 1;
    const fromPool = minioPool(was).join(' ');
    const toPool = minioPool(c).join(' ');
    if (fromReplicas === toReplicas && fromPool === toPool) continue;
    return [{
      rule: 'upgrade/minio-pool', path: fromReplicas !== toReplicas ? 'spec.replicas' : `spec.template.spec.containers[${cname}].args`,
      message: `changes the MinIO server pool of ${obj.metadata?.name} (${fromReplicas} pod(s) ${fromPool} -> ${toReplicas} pod(s) ${toPool}); MinIO refuses to start when a pool's ` +
        'erasure set layout changes, and its objects are only readable in the old layout. Safe path: keep the replicas; add capacity as a second ObjectStore (a new pool) ' +
        'and move buckets with mc mirror, or mc mirror everything into a new ObjectStore under a new name and switch clients',
    }];
  }
  return [];
}

/** Changes to a StatefulSet that keep its name but lose or refuse its data. */
export function statefulSetDataPathChanges(before: Json, after: Json, obj: ManifestObject): DataPathChange[] {
  return [...engineChanges(before, after, obj), ...minioChanges(before, after, obj)];
}

/** Service type changes the API server refuses for a headless Service (its clusterIP None is immutable). */
export function serviceTypeChanges(before: Json, after: Json, obj: ManifestObject): DataPathChange[] {
  const headless = (s: Json) => s?.clusterIP === 'None' || (Array.isArray(s?.clusterIPs) && s.clusterIPs[0] === 'None');
  const from = before.spec?.type ?? 'ClusterIP';
  const to = after.spec?.type ?? 'ClusterIP';
  if (from === to || !headless(before.spec)) return [];
  if (to !== 'NodePort' && to !== 'LoadBalancer') return [];
  return [{
    rule: 'upgrade/service-type', path: 'spec.type',
    message: `changes the headless Service ${obj.metadata?.name} from ${from} to ${to}; a headless Service keeps clusterIP None, which is only valid for ClusterIP, ` +
      `so the API server refuses the update. Safe path: keep ${obj.metadata?.name} headless (StatefulSet pods get their DNS names from it) and add a separate ${to} Service ` +
      `under a new name (e.g. ${obj.metadata?.name}-external) selecting the same pods`,
  }];
}
