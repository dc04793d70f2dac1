/**
 * The one synth entry every repository uses (the `cdk8s-stateful-ml synth` command, and this repository's
 * reference app through apps/run.js): construct validation, the gates, sync waves, the per-profile atomic swap
 * into `dist/`, the upgrade guard against a git ref, `kustomization.yaml`, CAPACITY/topology, the secrets
 * inventory and the Argo CD objects. Whatever fails (a throw in your code, a gate, the guard), `dist/` is left
 * byte-identical: everything is rendered and checked in memory before anything is written.
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { formatFindings } from '../checks';
import {
  type CommittedRenderOptions, type GitOpsSettings, type ProfileRenderModule, type RenderedFolder, type RenderedProfile, type StagedFolder,
  discardStaged, guardUpgrade, renderGitOps, renderProfile, renderProfilesInParallel, stageRendered, swapInStaged, writeForCli,
} from '../gitops';
import type { Profile } from '../profiles';

/** Your platform: what `cdk8s-stateful-ml synth` renders. `main.ts` exports it as its default export. */
export interface PlatformDefinition {
  /** The clusters to render for, one `dist/<profile.name>/` folder each (names must be unique). */
  readonly profiles: readonly Profile[];
  /**
   * Builds the platform for one profile into `app` (called once per profile, on a fresh App to which the profile
   * is already attached). Put charts and constructs here.
   */
  readonly build: (app: App, profile: Profile) => void;
  /** Argo CD Applications for your repository, rendered into `dist/argocd/`. @default - no `dist/argocd/` */
  readonly gitops?: GitOpsSettings;
}

/** Checks a definition and returns it (typed), for `export default definePlatform({...})` in `main.ts`. */
export function definePlatform(definition: PlatformDefinition): PlatformDefinition {
  if (!definition || !Array.isArray(definition.profiles) || !definition.profiles.length) {
    throw new Error('definePlatform: profiles is empty: list the clusters to render, e.g. profiles: [Profile.kind(), Profile.gke()].');
  }
  if (typeof definition.build !== 'function') {
    throw new Error('definePlatform: build is not a function: pass build: (app, profile) => { new Chart(app, ...); ... }.');
  }
  const names = definition.profiles.map((p) => p.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) {
    throw new Error(`definePlatform: two profiles are named '${duplicate}' (each renders dist/${duplicate}/): ` +
      `give one another name, e.g. Profile.gke({ name: '${duplicate}-eu' }).`);
  }
  if (names.includes('argocd') && definition.gitops) {
    throw new Error("definePlatform: a profile named 'argocd' would collide with dist/argocd/: rename the profile.");
  }
  return definition;
}

/** Profiles named by `--profile a,b` (or `--profile=a,b`), else `PROFILES=a,b` (`PROFILE` works too); all by default. */
export function selectProfiles(argv: readonly string[], env: NodeJS.ProcessEnv, all: readonly Profile[]): Profile[] {
  const flag = argv.findIndex((a) => a === '--profile' || a.startsWith('--profile='));
  const fromFlag = flag < 0 ? undefined : argv[flag].includes('=') ? argv[flag].split('=')[1] : argv[flag + 1];
  const wanted = (fromFlag ?? env.PROFILES ?? env.PROFILE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!wanted.length) return [...all];
  const unknown = wanted.filter((name) => !all.some((p) => p.name === name));
  if (unknown.length) {
    throw new Error(`Unknown profile '${unknown.join(', ')}': the app renders ${all.map((p) => p.name).join(', ')}.`);
  }
  return all.filter((p) => wanted.includes(p.name));
}

/** Builds one profile's app with `build` (the profile attached first) and renders it: validations, gates, waves, reports. */
export function renderWith(profile: Profile, build: (app: App, profile: Profile) => void): RenderedProfile {
  // outdir is never written: rendering happens in memory and writeRendered swaps folders in.
  const app = new App({ outdir: path.join(process.cwd(), '.cdk8s.out') });
  profile.attachTo(app);
  build(app, profile);
  return renderProfile(app, profile, { reports: true });
}

/**
 * The files synth writes into `dist/<folder>/` for `folder` (a profile name, or `argocd`), by file name, in write
 * order: the same render, sync waves and reports, after the gates. Throws what synth would report (a failed gate,
 * a failed validation), so a snapshot test fails exactly when synth would. Use it for jest snapshots:
 * `expect(content).toMatchSnapshot(name)` for each entry.
 */
export function snapshotFiles(definition: PlatformDefinition, folder: string): Record<string, string> {
  const profile = definition.profiles.find((p) => p.name === folder);
  let rendered: RenderedFolder;
  if (profile) {
    rendered = renderWith(profile, definition.build);
  } else if (folder === 'argocd' && definition.gitops) {
    rendered = renderGitOps(definition.profiles.map((p) => renderWith(p, definition.build)), definition.gitops);
  } else {
    throw new Error(`snapshotFiles: synth writes no dist/${folder}/: the folders are ${[
      ...definition.profiles.map((p) => p.name), ...(definition.gitops ? ['argocd'] : [])].join(', ')}.`);
  }
  return Object.fromEntries(rendered.files.map((f) => [f.name, f.content]));
}

/** Options of `synthesize`. */
export interface SynthOptions {
  /** Where `<profile>/` folders go. */
  readonly outdir: string;
  /** The profiles to render (called once, inside the error handling: an unknown name fails like bad props). */
  readonly profiles: () => Profile[];
  /** Builds one profile's app. */
  readonly build: (app: App, profile: Profile) => void;
  /** Also write here (the cdk8s CLI's CDK8S_OUTDIR, read by `cdk8s synth --stdout`). @default - nowhere else */
  readonly cliOutdir?: string;
  /** Log the stack of a failed render, not just its message. @default false */
  readonly debug?: boolean;
  /** Where progress and errors go. @default - stderr, one line each */
  readonly log?: (line: string) => void;
  /** Renders extra folders (e.g. `argocd/`) from the profile renders. @default - none */
  readonly extraFolders?: (rendered: readonly RenderedProfile[]) => RenderedFolder[];
  /** Compare with the committed render and refuse changes a live cluster refuses. @default - no guard */
  readonly upgradeGuard?: CommittedRenderOptions;
  /** Write the output (false: only render, gate and guard, as `check-upgrade`). @default true */
  readonly write?: boolean;
  /**
   * Render the profiles on worker threads as well as this one, when there are several profiles and CPUs
   * (renderProfilesInParallel): `module` renders a profile by name exactly as `build` does here. Same output.
   * @default - every profile in this thread
   */
  readonly workers?: { readonly module: ProfileRenderModule; readonly count?: number };
}

function errorText(error: unknown, debug: boolean | undefined): string {
  return error instanceof Error ? (debug ? error.stack ?? error.message : error.message) : String(error);
}

function shown(dir: string): string {
  return path.relative(process.cwd(), dir) || dir;
}

/** Runs the upgrade guard; logs its notice, warnings and errors; `refused` when a change would be refused. */
function runUpgradeGuard(folders: readonly RenderedFolder[], options: CommittedRenderOptions, log: (line: string) => void): 'skipped' | 'passed' | 'refused' {
  const result = guardUpgrade(folders, options);
  if ('skipped' in result) {
    log(`upgrade guard skipped: ${result.skipped}`);
    return 'skipped';
  }
  const dist = options.distPath ?? 'dist';
  let ok = true;
  for (const { folder, findings } of result.reports) {
    const errors = findings.filter((f) => f.severity === 'error');
    const warnings = findings.filter((f) => f.severity === 'warning');
    if (warnings.length) log(`upgrade guard, ${dist}/${folder} vs ${result.ref}: ${warnings.length} risky change(s):\n${formatFindings(warnings)}`);
    if (errors.length) {
      ok = false;
      log(`upgrade guard, ${dist}/${folder} vs ${result.ref}: ${errors.length} change(s) a live cluster refuses:\n${formatFindings(errors)}`);
    }
  }
  if (!ok) log('Follow the safe path of each change, then re-run with CDK8S_UPGRADE_GUARD=off (or --no-upgrade-guard) to write the new render.');
  return ok ? 'passed' : 'refused';
}

/**
 * Renders every profile, then writes them all. Any error (bad props, a failed gate, the upgrade guard) is
 * reported before anything is written, so the previous output stays exactly as it was. Returns the exit code.
 */
export function synthesize(options: SynthOptions): number {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const write = options.write !== false;
  // Each folder is written to a temporary folder as soon as it is rendered (its YAML is never held whole), and
  // swapped in only once every folder is rendered, gated and guarded.
  const staged: StagedFolder[] = [];
  const stage = (folder: RenderedFolder) => { if (write) staged.push(stageRendered(options.outdir, folder)); };
  let rendered: RenderedProfile[];
  let folders: RenderedFolder[];
  try {
    const profiles = options.profiles();
    if (options.workers && profiles.length > 1) {
      rendered = renderProfilesInParallel(profiles, {
        worker: options.workers.module, workers: options.workers.count, render: (profile) => renderWith(profile, options.build),
      });
      rendered.forEach(stage);
    } else {
      rendered = profiles.map((profile) => {
        const r = renderWith(profile, options.build);
        stage(r);
        return r;
      });
    }
    const extra = options.extraFolders?.(rendered) ?? [];
    extra.forEach(stage);
    folders = [...rendered, ...extra];
  } catch (error) {
    discardStaged(staged);
    log(`synth failed, ${shown(options.outdir)}/ left unchanged:\n${errorText(error, options.debug)}`);
    return 1;
  }
  let guard: 'skipped' | 'passed' | 'refused';
  try {
    guard = options.upgradeGuard ? runUpgradeGuard(folders, options.upgradeGuard, log) : 'skipped';
  } catch (error) {
    discardStaged(staged);
    log(`upgrade guard failed, ${shown(options.outdir)}/ left unchanged:\n${errorText(error, options.debug)}`);
    return 1;
  }
  if (guard === 'refused') {
    discardStaged(staged);
    log(`${shown(options.outdir)}/ left unchanged.`);
    return 1;
  }
  if (!write) {
    const folderList = folders.map((f) => path.join(shown(options.outdir), f.folder)).join(', ');
    log(guard === 'passed' ? `upgrade guard passed: ${folderList} hold nothing a live cluster would refuse` : `rendered and gated ${folderList}; nothing written`);
    return 0;
  }
  swapInStaged(staged);
  if (options.cliOutdir) writeForCli(options.cliOutdir, rendered);
  for (const { profile, objects, gates, capacity, secrets } of rendered) {
    log(`${path.join(shown(options.outdir), profile.name)}: ${objects.length} objects, Kubernetes ${profile.kubeVersion}, gates passed` +
      (gates.warnings.length ? ` with ${gates.warnings.length} warning(s)` : ''));
    if (gates.warnings.length) log(formatFindings(gates.warnings).replace(/^/gm, '  '));
    if (capacity) log(capacity.toSummary().replace(/^/gm, '  '));
    const manual = secrets?.entries.filter((e) => e.kubectl).length ?? 0;
    if (secrets?.entries.length) log(`  secrets: ${secrets.entries.length} read, ${manual} to create by hand (${profile.name}/SECRETS.md)`);
    // Features dropped because the cluster config lacks their input (ClusterConfig).
    for (const line of profile.omissions) log(`  left out: ${line}`);
  }
  return 0;
}

/** Options of `runSynth`. */
export interface RunSynthOptions {
  /** Root of the repository: `dist/` and `cdk8s.yaml` are here, and git runs here for the upgrade guard. */
  readonly root: string;
  /**
   * Loads the platform (e.g. `() => require('./main.ts').default`). Called inside the error handling, so a throw
   * anywhere in your code fails synth and leaves `dist/` as it was.
   */
  readonly load: () => PlatformDefinition;
  /** Command-line arguments (see `runSynth`). @default [] */
  readonly argv?: readonly string[];
  /** Environment (see `runSynth`). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where progress and errors go. @default - stderr */
  readonly log?: (line: string) => void;
  /** Folder of the renders, relative to `root`. @default 'dist' */
  readonly distPath?: string;
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(name.length + 1) : argv[i + 1];
}

/**
 * `cdk8s-stateful-ml synth` (and `check-upgrade`): returns the process exit code.
 * - `--profile a,b` / `PROFILES=a,b`: render only these (then `dist/argocd/` is not rewritten, so a partial run
 *   never drops the other profiles' Applications).
 * - The upgrade guard compares with `dist/` at `--upgrade-ref REF` / `CDK8S_UPGRADE_GUARD_REF` (default `HEAD`;
 *   in CI for a pull request, the target branch, e.g. `origin/main`); `--no-upgrade-guard` or
 *   `CDK8S_UPGRADE_GUARD=off` skips it.
 * - `--check-upgrade`: render, gate and guard only; nothing is written.
 * - `--outdir DIR`: write the folders to DIR instead of `dist/`.
 * - `CDK8S_OUTDIR` (set by the cdk8s CLI): also write one file per profile there, for `cdk8s synth --stdout`.
 * - `DEBUG=1`: print stack traces.
 */
export function runSynth(options: RunSynthOptions): number {
  const argv = options.argv ?? [];
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const distPath = options.distPath ?? 'dist';
  const checkOnly = argv.includes('--check-upgrade');
  const guardOff = !checkOnly && (argv.includes('--no-upgrade-guard') || /^(off|false|0|no)$/i.test(env.CDK8S_UPGRADE_GUARD ?? ''));
  const outdirFlag = flagValue(argv, '--outdir');
  const outdir = outdirFlag ? path.resolve(outdirFlag) : path.join(options.root, distPath);
  const debug = Boolean(env.DEBUG);
  let definition: PlatformDefinition | undefined;
  const loaded = (): PlatformDefinition => (definition ??= definePlatform(options.load()));
  return synthesize({
    outdir,
    profiles: () => selectProfiles(argv, env, loaded().profiles),
    build: (app, profile) => loaded().build(app, profile),
    extraFolders: (rendered) => {
      const { gitops, profiles } = loaded();
      return gitops && rendered.length === profiles.length ? [renderGitOps(rendered, { distPath, ...gitops })] : [];
    },
    upgradeGuard: guardOff ? undefined : {
      cwd: options.root, distPath, ref: flagValue(argv, '--upgrade-ref') || env.CDK8S_UPGRADE_GUARD_REF || 'HEAD',
      acknowledge: acknowledgements(argv, env),
    },
    write: !checkOnly,
    cliOutdir: !checkOnly && env.CDK8S_OUTDIR ? path.resolve(env.CDK8S_OUTDIR) : undefined,
    debug,
    log,
  });
}

/** Renames and namespace moves acknowledged with `CDK8S_UPGRADE_ACK=a,b` and/or `--acknowledge a` (`--acknowledge=a,b`). */
export function acknowledgements(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const fromArgs = argv.flatMap((a, i) => (a === '--acknowledge' ? [argv[i + 1] ?? ''] : a.startsWith('--acknowledge=') ? [a.slice('--acknowledge='.length)] : []));
  return [...(env.CDK8S_UPGRADE_ACK ?? '').split(','), ...fromArgs.flatMap((a) => a.split(','))].map((s) => s.trim()).filter(Boolean);
}
