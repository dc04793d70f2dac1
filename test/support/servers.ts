/**
 * Running servers as local processes in integration tests: start a script as the server's system user, wait for
 * it (a condition or a listening port), stop it.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; fails naming `what` after `limitMs`. */
export async function waitFor(what: string, check: () => boolean, limitMs = 60000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until something accepts TCP connections on `host:port`. */
export async function waitForPort(host: string, port: number, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port }, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await sleep(200);
  }
  throw new Error(`nothing listening on ${host}:${port} after ${limitMs} ms`);
}

export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** uid/gid of a local system user (the one the package created for the server). */
export function systemUser(name: string): RunAs {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0) throw new Error(`system user '${name}' not found: run test/integration/install-servers.sh`);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
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
