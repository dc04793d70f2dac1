/**
 * Runs a StatefulDatabase's synthesized pods as local processes: the ConfigMap's files written
 * to a directory, the projected Secret files written from test passwords, and each container's
 * environment taken from the synthesized StatefulSet with only paths, host and port remapped.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Manifest } from '../support/synth';

export function which(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

export { freePort } from '../support/ports';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `bin` of the newest PostgreSQL server Debian's postgresql package installed (install-servers.sh). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'bin', 'pg_ctl'))) : [];
  if (!majors.length) {
    throw new Error('PostgreSQL server binaries not found in /usr/lib/postgresql/<major>/bin: run test/integration/install-servers.sh (Debian package postgresql)');
  }
  return path.join(root, majors.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** Polls `check` until it returns true; fails naming `what` after `limitMs`. */
export async function waitFor(what: string, check: () => boolean, limitMs = 60000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** uid/gid of a local system user (the one the package created for the server). */
export function systemUser(name: string): { uid: number; gid: number } {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0) throw new Error(`system user '${name}' not found: run test/integration/install-servers.sh`);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
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

export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** Runs a script to completion as `user`; fails with its output when it exits non-zero. */
export function runScript(script: string, env: Record<string, string>, user: RunAs | undefined, timeoutMs = 90000): string {
  const result = spawnSync('sh', [script], {
    env, encoding: 'utf8', timeout: timeoutMs, ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    throw new Error(`sh ${script} exited ${result.status ?? result.signal}:\n${output}`);
  }
  return output;
}

/** Starts a long-running script (the server container) as `user`, collecting its output. */
export function startScript(script: string, env: Record<string, string>, user: RunAs | undefined): { process: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn('sh', [script], { env, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  child.stdout?.on('data', (d) => { out += d; });
  child.stderr?.on('data', (d) => { out += d; });
  return { process: child, output: () => out };
}

/** Sends `signal` and waits for the process to exit. */
export async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals, limitMs = 30000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  await exited;
  clearTimeout(timer);
}

/** Gives `dir` (recursively) to `user`, so a server running as that user can use it. */
export function chownTree(dir: string, user: RunAs | undefined): void {
  if (!user) return;
  const walk = (p: string) => {
    fs.chownSync(p, user.uid, user.gid);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
}
