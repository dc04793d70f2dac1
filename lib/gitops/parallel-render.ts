import * as os from 'os';
import { performance } from 'perf_hooks';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import type { GateReport, ManifestObject } from '../checks';
import { Profile } from '../profiles';
import { CapacityReport } from './capacity-report';
import { SecretsInventory } from './secrets-inventory';
import { RenderError, RenderedFile, RenderedProfile, manifestFile, reportTitle } from './render';

/**
 * Where a worker thread finds the code that renders a profile: `module` exports `exportName`, a function
 * `(profileName: string) => RenderedProfile` that builds and renders the named profile exactly as the calling
 * thread would. `preload` modules are required first (e.g. a TypeScript loader with a `register()` export).
 */
export interface ProfileRenderModule {
  /** Absolute path of the module. */
  readonly module: string;
  /** Name of the exported render function. */
  readonly exportName: string;
  /** Absolute paths of modules to require before `module`; each one's `register()` is called if it has one. @default - none */
  readonly preload?: readonly string[];
}

/** Options of `renderProfilesInParallel`. */
export interface ParallelRenderOptions {
  /** The code workers run. */
  readonly worker: ProfileRenderModule;
  /** Renders one profile in this thread (the same function `worker` names). */
  readonly render: (profile: Profile) => RenderedProfile;
  /**
   * Worker threads to start besides this one, which renders its share too.
   * @default - decided after the first profile (see renderProfilesInParallel), at most defaultWorkerCount
   */
  readonly workers?: number;
  /** Longest wait for a worker's result, in milliseconds, before giving up. @default 600000 */
  readonly timeoutMs?: number;
}

/** What a worker thread sends back: the render as plain data (structured clone keeps shared objects shared). */
interface WorkerResult {
  readonly ok: boolean;
  readonly error?: { readonly message: string; readonly stack?: string; readonly render: boolean };
  readonly folder?: string;
  readonly files?: readonly { readonly name: string; readonly content?: string; readonly objects?: readonly ManifestObject[] }[];
  readonly objects?: readonly ManifestObject[];
  readonly gates?: GateReport;
  readonly capacity?: boolean;
}

/**
 * The worker threads to use for `profiles` profiles by default: one per idle CPU besides this thread's (CPUs
 * less the 1-minute load average), at most one less than the profiles. A worker loads every module again before
 * it renders, which only pays off on a CPU nobody else is using: none for one profile, one CPU or a busy machine.
 */
export function defaultWorkerCount(profiles: number): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const idle = Math.round(cpus - os.loadavg()[0]);
  return Math.max(0, Math.min(cpus - 1, idle - 1, profiles - 1));
}

/** Runs in the worker thread (the whole of its script): renders its profiles and posts each result on `port`. */
const WORKER_SOURCE = `
'use strict';
const { workerData } = require('worker_threads');
const { port, flag, preload, module: mod, exportName, profiles } = workerData;
const state = new Int32Array(flag);
let sent = 0;
process.on('exit', () => { if (sent < profiles.length) { Atomics.store(state, 0, -1); Atomics.notify(state, 0); } });
function post(result) {
  port.postMessage(result);
  sent += 1;
  Atomics.store(state, 0, sent);
  Atomics.notify(state, 0);
}
try {
  for (const p of preload) { const m = require(p); if (typeof m.register === 'function') m.register(); }
  const render = require(mod)[exportName];
  for (const name of profiles) {
    try {
      const r = render(name);
      post({
        ok: true, folder: r.folder, objects: r.objects, gates: r.gates, capacity: Boolean(r.capacity),
        files: r.files.map((f) => (f.objects ? { name: f.name, objects: f.objects } : { name: f.name, content: f.content })),
      });
    } catch (e) {
      post({ ok: false, error: { message: e && e.message !== undefined ? e.message : String(e), stack: e && e.stack, render: Boolean(e && e.constructor && e.constructor.name === 'RenderError') } });
    }
  }
} catch (e) {
  while (sent < profiles.length) post({ ok: false, error: { message: 'worker failed to start: ' + (e && e.stack || e), render: false } });
}
`;

interface StartedWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly state: Int32Array;
}

/** Waits, blocking this thread, for the next result of `w` (the `received`-th). */
function receive(w: StartedWorker, received: number, timeoutMs: number): WorkerResult {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = receiveMessageOnPort(w.port);
    if (message) return message.message as WorkerResult;
    const now = Atomics.load(w.state, 0);
    if (now < 0) return { ok: false, error: { message: 'a render worker exited before sending its result', render: false } };
    const left = deadline - Date.now();
    if (left <= 0) return { ok: false, error: { message: `no result from a render worker within ${timeoutMs} ms`, render: false } };
    if (now <= received) Atomics.wait(w.state, 0, now, Math.min(left, 1000));
  }
}

/** The render a worker sent, with this thread's Profile and CapacityReport. */
function rehydrate(profile: Profile, r: WorkerResult): RenderedProfile {
  const files: RenderedFile[] = r.files!.map((f) => (f.objects ? manifestFile(f.name, f.objects) : { name: f.name, content: f.content! }));
  // The reports are rebuilt here from the objects (deterministic), as renderProfile builds them.
  const capacity = r.capacity ? CapacityReport.of(r.objects!, { title: reportTitle(profile), profile }) : undefined;
  const secrets = r.capacity ? SecretsInventory.of(r.objects!) : undefined;
  return { profile, folder: r.folder!, files, objects: r.objects!, gates: r.gates!, ...(capacity ? { capacity } : {}), ...(secrets ? { secrets } : {}) };
}

/**
 * Renders `profiles` on several threads: worker threads render their share (profile i goes to thread
 * i mod (workers + 1)) while this thread renders its own, then this thread collects the results in profile order.
 * Without `workers`, this thread renders the first profile, then starts workers (defaultWorkerCount: idle CPUs)
 * for the rest only if that render took longer than this process took to load its code, which each worker
 * repeats: a small app renders in one thread.
 * The result, and the error thrown for the first profile that fails, are those of rendering each profile here in
 * turn. Synchronous: this thread blocks on the workers (Atomics.wait), so callers stay as they are.
 */
export function renderProfilesInParallel(profiles: readonly Profile[], options: ParallelRenderOptions): RenderedProfile[] {
  if (options.workers !== undefined) return renderOnThreads(profiles, Math.min(options.workers, profiles.length - 1), options);
  // By default: render the first profile here and start workers for the rest only when that pays, i.e. when
  // the renders a worker would take over cost more than loading the code did (each worker loads it again).
  if (profiles.length < 2 || defaultWorkerCount(profiles.length) <= 0) return profiles.map(options.render);
  const loadedMs = performance.now();
  const first = options.render(profiles[0]);
  const renderMs = performance.now() - loadedMs;
  const rest = profiles.slice(1);
  const count = Math.min(defaultWorkerCount(profiles.length), rest.length - 1);
  const worthIt = count > 0 && renderMs * Math.floor(rest.length / (count + 1)) > loadedMs;
  return [first, ...(worthIt ? renderOnThreads(rest, count, options) : rest.map(options.render))];
}

function renderOnThreads(profiles: readonly Profile[], count: number, options: ParallelRenderOptions): RenderedProfile[] {
  if (count <= 0) return profiles.map(options.render);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const share = (t: number) => profiles.filter((_, i) => i % (count + 1) === t);
  const started: StartedWorker[] = [];
  try {
    for (let t = 1; t <= count; t++) {
      const { port1, port2 } = new MessageChannel();
      const flag = new SharedArrayBuffer(4);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          port: port2, flag, preload: options.worker.preload ?? [], module: options.worker.module, exportName: options.worker.exportName,
          profiles: share(t).map((p) => p.name),
        },
        transferList: [port2],
        // The worker's own output reaches the terminal; its results come back on the port.
        stdout: false,
        stderr: false,
      });
      worker.unref();
      started.push({ worker, port: port1, state: new Int32Array(flag) });
    }
    const results = new Map<Profile, RenderedProfile | Error>();
    for (const profile of share(0)) {
      try {
        results.set(profile, options.render(profile));
      } catch (error) {
        results.set(profile, error instanceof Error ? error : new Error(String(error)));
      }
    }
    started.forEach((w, k) => {
      share(k + 1).forEach((profile, received) => {
        const r = receive(w, received, timeoutMs);
        if (r.ok) results.set(profile, rehydrate(profile, r));
        else {
          const error = r.error!.render ? new RenderError(r.error!.message) : new Error(r.error!.message);
          if (r.error!.stack) error.stack = r.error!.stack;
          results.set(profile, error);
        }
      });
    });
    return profiles.map((profile) => {
      const r = results.get(profile)!;
      if (r instanceof Error) throw r;
      return r;
    });
  } finally {
    for (const w of started) {
      w.port.close();
      void w.worker.terminate();
    }
  }
}
