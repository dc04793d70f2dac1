import * as path from 'path';
import { App } from 'cdk8s';
import { Profile, RenderedProfile, renderProfile, writeRendered } from '../lib';
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
  return renderProfile(app, profile);
}

export interface SynthOptions {
  /** Where `<profile>/` folders go. */
  readonly outdir: string;
  readonly profiles: () => Profile[];
  readonly build: (app: App, profile: Profile) => void;
  /** Also write here (the cdk8s CLI's CDK8S_OUTDIR, read by `cdk8s synth --stdout`). */
  readonly cliOutdir?: string;
  readonly debug?: boolean;
  readonly log?: (line: string) => void;
}

/**
 * Renders every profile, then writes them all. Any error (bad props, a failed gate) is reported
 * before anything is written, so the previous output stays exactly as it was. Returns the exit code.
 */
export function synthesize(options: SynthOptions): number {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let rendered: RenderedProfile[];
  try {
    rendered = options.profiles().map((profile) => renderWith(profile, options.build));
  } catch (error) {
    const message = error instanceof Error ? (options.debug ? error.stack ?? error.message : error.message) : String(error);
    log(`synth failed, ${path.relative(process.cwd(), options.outdir) || options.outdir}/ left unchanged:\n${message}`);
    return 1;
  }
  writeRendered(options.outdir, rendered);
  if (options.cliOutdir) writeRendered(options.cliOutdir, rendered);
  for (const { profile, objects, gates } of rendered) {
    log(`dist/${profile.name}: ${objects.length} objects, Kubernetes ${profile.kubeVersion}, gates passed` +
      (gates.warnings.length ? ` with ${gates.warnings.length} warning(s)` : ''));
  }
  return 0;
}

/** CLI entry (`npm run synth`, `cdk8s synth`): returns the process exit code. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  return synthesize({
    outdir: path.join(ROOT, 'dist'),
    profiles: () => selectProfiles(argv, env),
    build: (app, profile) => { buildPlatform(app, profile); },
    cliOutdir: env.CDK8S_OUTDIR ? path.resolve(env.CDK8S_OUTDIR) : undefined,
    debug: Boolean(env.DEBUG),
  });
}
