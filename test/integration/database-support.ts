/**
 * Runs a StatefulDatabase's synthesized pods as local processes: the ConfigMap's files written
 * to a directory, the projected Secret files written from test passwords, and each container's
 * environment taken from the synthesized StatefulSet with only paths, host and port remapped. Starting, waiting for and
 * stopping the processes is test/support/servers.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Manifest } from '../support/synth';

/** `bin` of the newest PostgreSQL server Debian's postgresql package installed (install-servers.sh). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'bin', 'pg_ctl'))) : [];
  if (!majors.length) {
    throw new Error('PostgreSQL server binaries not found in /usr/lib/postgresql/<major>/bin: run test/integration/install-servers.sh (Debian package postgresql)');
  }
  return path.join(root, majors.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** Writes every key of the ConfigMap as a file in `dir`. */
export function writeConfigMap(configMap: Manifest, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(configMap.data as Record<string, string>)) {
    fs.writeFileSync(path.join(dir, file), content);
  }
}

/** Writes (or rotates) the files of the pod's projected `secrets` volume, reading values from `secrets[secretName][key]`. */
export function writeProjectedSecrets(statefulSet: Manifest, dir: string, secrets: Record<string, Record<string, string>>): void {
  const volume = statefulSet.spec.template.spec.volumes.find((v: any) => v.name === 'secrets');
  for (const source of volume.projected.sources) {
    for (const item of source.secret.items) {
      const value = secrets[source.secret.name]?.[item.key];
      if (value === undefined) throw new Error(`test provides no value for Secret ${source.secret.name} key ${item.key}`);
      const file = path.join(dir, item.path);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Replaced, not rewritten: a rotation writes over a read-only file.
      fs.rmSync(file, { force: true });
      fs.writeFileSync(file, value, { mode: 0o400 });
    }
  }
}

/**
 * The environment of container `name` (init or regular) as the kubelet would build it:
 * values, the pod name, secretKeyRefs from `secrets`, `$(VAR)` references; then `overrides`.
 */
export function containerEnv(
  statefulSet: Manifest, name: string, pod: string,
  secrets: Record<string, Record<string, string>>, overrides: Record<string, string>,
): Record<string, string> {
  const spec = statefulSet.spec.template.spec;
  const container = [...(spec.initContainers ?? []), ...spec.containers].find((c: any) => c.name === name);
  if (!container) throw new Error(`no container '${name}' in StatefulSet ${statefulSet.metadata.name}`);
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    if (v.value !== undefined) {
      env[v.name] = String(v.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, ref) => env[ref] ?? m);
    } else if (v.valueFrom?.fieldRef?.fieldPath === 'metadata.name') {
      env[v.name] = pod;
    } else if (v.valueFrom?.fieldRef?.fieldPath === "metadata.labels['apps.kubernetes.io/pod-index']") {
      env[v.name] = pod.slice(pod.lastIndexOf('-') + 1);
    } else if (v.valueFrom?.fieldRef?.fieldPath === 'status.podIP') {
      // The pod's address: the loopback address the test runs this pod on.
      if (overrides[v.name] === undefined) throw new Error(`container '${name}' env ${v.name} is the pod IP: pass the pod's loopback address as an override`);
      env[v.name] = overrides[v.name];
    } else if (v.valueFrom?.secretKeyRef) {
      const ref = v.valueFrom.secretKeyRef;
      const value = secrets[ref.name]?.[ref.key];
      if (value === undefined) throw new Error(`test provides no value for Secret ${ref.name} key ${ref.key}`);
      env[v.name] = value;
    } else {
      throw new Error(`container '${name}' env ${v.name}: unsupported source ${JSON.stringify(v.valueFrom)}`);
    }
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in env) && !k.startsWith('PG_LISTEN') && !k.startsWith('DB_BIND') && k !== 'PATH' && k !== 'HOME') {
      throw new Error(`override ${k} is not an env var of container '${name}': the scripts would not read it`);
    }
    env[k] = v;
  }
  return env;
}

/** The script a container runs (`sh <dir>/<file>`), as the file name inside the ConfigMap. */
export function containerScript(statefulSet: Manifest, name: string): string {
  const spec = statefulSet.spec.template.spec;
  const container = [...(spec.initContainers ?? []), ...spec.containers].find((c: any) => c.name === name);
  const [shell, script] = container.command;
  if (shell !== 'sh') throw new Error(`container '${name}' does not run a sh script: ${container.command.join(' ')}`);
  return path.basename(script);
}
