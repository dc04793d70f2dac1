import * as path from 'path';
import { App } from 'cdk8s';
import {
  CommittedRenderOptions, Profile, ProfileRenderModule, RenderedFolder, RenderedProfile, StagedFolder, discardStaged, formatFindings,
  guardUpgrade, renderProfile, renderProfilesInParallel, stageRendered, swapInStaged, writeForCli,
} from '../lib';
import { renderGitOps } from './gitops';
import { buildPlatform } from './platform';
import { referenceProfiles } from './profiles';

const ROOT = path.resolve(__dirname, '..');

/** Profiles named by `--profile a,b` or `PROFILES=a,b` (`PROFILE` works too); all by default. */
export function selectProfiles(argv: readonly string[], env: NodeJS.ProcessEnv, all: readonly Profile[] = referenceProfiles()): Profile[] {
  const flag = argv.findIndex((a) => a === '--profile' || a.startsWith('--profile='));
  const fromFlag = flag < 0 ? undefined : argv[flag].includes('=') ? argv[flag].split('=')[1] : argv[flag + 1];
  const wanted = (fromFlag ?? env.PROFILES ?? env.PROFILE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!wanted.length) return [...all];
  const unknown = wanted.filter((name) => !all.some((p) => p.name === name));
  if (unknown.length) {
    throw new Error(`Unknown profile '${unknown.join(', ')}': the reference app renders ${all.map((p) => p.name).join(', ')}.`);
  }
  return all.filter((p) => wanted.includes(p.name));
}

/** Builds one profile's app with `build` and renders it (validations and gates). */
export function renderWith(profile: Profile, build: (app: App, profile: Profile) => void): RenderedProfile {
  // outdir is never written: rendering happens in memory and writeRendered swaps folders in.
  const app = new App({ outdir: path.join(ROOT, '.cdk8s.out') });
  build(app, profile);
  return renderProfile(app, profile, { reports: true });
}

/** Options of `synthesize`. */
export interface SynthOptions {
  /** Where `<profile>/` folders go. */
  readonly outdir: string;
  /** The profiles to render (called once, inside the error handling: an unknown name fails like bad props). */
  readonly profiles: () => Profile[];
  /** Builds one profile's app (the reference app: `buildPlatform`). */
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
  /** Write the output (false: only render, gate and guard, as `npm run check:upgrade`). @default true */
  readonly write?: boolean;
  /**
   * Render the profiles on worker threads as well as this one, when there are several profiles and CPUs
   * (renderProfilesInParallel): `module` renders a profile by name exactly as `build` does here. Same output.
   * @default - every profile in this thread
   */
  readonly workers?: { readonly module: ProfileRenderModule; readonly count?: number };
}

/** Runs the upgrade guard; logs its notice, warnings and errors; `refused` when a change would be refused. */
function runUpgradeGuard(folders: readonly RenderedFolder[], options: CommittedRenderOptions, log: (line: string) => void): 'skipped' | 'passed' | 'refused' {
  const result = guardUpgrade(folders, options);
  if ('skipped' in result) {
    log(`upgrade guard skipped: ${result.skipped}`);
    return 'skipped';
  }
  let ok = true;
  for (const { folder, findings } of result.reports) {
    const errors = findings.filter((f) => f.severity === 'error');
    const warnings = findings.filter((f) => f.severity === 'warning');
    if (warnings.length) log(`upgrade guard, dist/${folder} vs ${result.ref}: ${warnings.length} risky change(s):\n${formatFindings(warnings)}`);
    if (errors.length) {
      ok = false;
      log(`upgrade guard, dist/${folder} vs ${result.ref}: ${errors.length} change(s) a live cluster refuses:\n${formatFindings(errors)}`);
    }
  }
  if (!ok) log('Follow the safe path of each change, then re-run with CDK8S_UPGRADE_GUARD=off (or --no-upgrade-guard) to write the new render.');
  return ok ? 'passed' : 'refused';
}

/**
 * Renders every profile, then writes them all. Any error (bad props, a failed gate) is reported
 * before anything is written, so the previous output stays exactly as it was. Returns the exit code.
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
    const message = error instanceof Error ? (options.debug ? error.stack ?? error.message : error.message) : String(error);
    log(`synth failed, ${path.relative(process.cwd(), options.outdir) || options.outdir}/ left unchanged:\n${message}`);
    return 1;
  }
  const guard = options.upgradeGuard ? runUpgradeGuard(folders, options.upgradeGuard, log) : 'skipped';
  if (guard === 'refused') {
    discardStaged(staged);
    log(`${path.relative(process.cwd(), options.outdir) || options.outdir}/ left unchanged.`);
    return 1;
  }
  if (!write) {
    const folderList = folders.map((f) => `dist/${f.folder}`).join(', ');
    log(guard === 'passed' ? `upgrade guard passed: ${folderList} hold nothing a live cluster would refuse` : `rendered and gated ${folderList}; nothing written`);
    return 0;
  }
  swapInStaged(staged);
  if (options.cliOutdir) writeForCli(options.cliOutdir, rendered);
  for (const { profile, objects, gates, capacity } of rendered) {
    log(`${path.join(path.relative(process.cwd(), options.outdir) || options.outdir, profile.name)}: ${objects.length} objects, Kubernetes ${profile.kubeVersion}, gates passed` +
      (gates.warnings.length ? ` with ${gates.warnings.length} warning(s)` : ''));
    if (capacity) log(capacity.toSummary().replace(/^/gm, '  '));
  }
  return 0;
}

/** Renders the reference app's profile `name` (what a render worker thread runs for `main`). */
export function renderReferenceProfile(name: string): RenderedProfile {
  const profile = referenceProfiles().find((p) => p.name === name);
  if (!profile) throw new Error(`Unknown profile '${name}'`);
  return renderWith(profile, (app, p) => { buildPlatform(app, p); });
}

/** Worker threads for `main`: CDK8S_SYNTH_WORKERS=0 renders in one thread, N uses N workers; default: when they pay (renderProfilesInParallel). */
function workerCount(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.CDK8S_SYNTH_WORKERS;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`CDK8S_SYNTH_WORKERS must be a whole number of worker threads (0: none), got '${raw}'.`);
  return n;
}

/**
 * CLI entry (`npm run synth`, `cdk8s synth`): returns the process exit code. `dist/argocd/` is rendered when
 * every profile is (a partial run must not drop the other profiles' Applications). The upgrade guard runs
 * unless `--no-upgrade-guard` or `CDK8S_UPGRADE_GUARD=off`; `CDK8S_UPGRADE_GUARD_REF` picks the commit to
 * compare with (default HEAD; in CI for a pull request, the target branch). `--check-upgrade` only checks.
 * `--outdir DIR` writes the profile folders to DIR instead of dist/.
 */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const checkOnly = argv.includes('--check-upgrade');
  const guardOff = !checkOnly && (argv.includes('--no-upgrade-guard') || /^(off|false|0|no)$/i.test(env.CDK8S_UPGRADE_GUARD ?? ''));
  const all = referenceProfiles();
  const outdirFlag = argv.indexOf('--outdir');
  return synthesize({
    outdir: outdirFlag >= 0 && argv[outdirFlag + 1] ? path.resolve(argv[outdirFlag + 1]) : path.join(ROOT, 'dist'),
    profiles: () => selectProfiles(argv, env, all),
    build: (app, profile) => { buildPlatform(app, profile); },
    extraFolders: (rendered) => (rendered.length === all.length ? [renderGitOps(rendered)] : []),
    upgradeGuard: guardOff ? undefined : { cwd: ROOT, ref: env.CDK8S_UPGRADE_GUARD_REF || 'HEAD' },
    write: !checkOnly,
    cliOutdir: !checkOnly && env.CDK8S_OUTDIR ? path.resolve(env.CDK8S_OUTDIR) : undefined,
    debug: Boolean(env.DEBUG),
    workers: {
      module: { module: __filename, exportName: 'renderReferenceProfile', preload: [path.join(__dirname, 'ts-loader.js')] },
      count: workerCount(env),
    },
  });
}
