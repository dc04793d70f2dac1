import * as path from 'path';
import { App } from 'cdk8s';
import { Profile, RenderedProfile, renderProfile, writeRendered } from '../lib';
import { buildPlatform } from './platform';
import { referenceProfiles } from './profiles';

const ROOT = path.resolve(__dirname, '..');

/** Profiles named by `--profile a,b` or `PROFILES=a,b` (`PROFILE` works too); all by default. */
export function selectProfiles(argv: readonly string[], env: NodeJS.ProcessEnv): Profile[] {
  const all = referenceProfiles();
  const flag = argv.findIndex((a) => a === '--profile' || a.startsWith('--profile='));
  const fromFlag = flag < 0 ? undefined : argv[flag].includes('=') ? argv[flag].split('=')[1] : argv[flag + 1];
  const wanted = (fromFlag ?? env.PROFILES ?? env.PROFILE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!wanted.length) return all;
  const unknown = wanted.filter((name) => !all.some((p) => p.name === name));
  if (unknown.length) {
    throw new Error(`Unknown profile '${unknown.join(', ')}': the reference app renders ${all.map((p) => p.name).join(', ')}.`);
  }
  return all.filter((p) => wanted.includes(p.name));
}

/** Renders and gates the selected profiles; writes dist/ only if every one of them passed. */
export function renderReferencePlatform(profiles: readonly Profile[]): RenderedProfile[] {
  return profiles.map((profile) => {
    const app = new App({ outdir: path.join(ROOT, '.cdk8s.out') });
    buildPlatform(app, profile);
    return renderProfile(app, profile);
  });
}

/** CLI entry: returns the process exit code. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  let rendered: RenderedProfile[];
  try {
    rendered = renderReferencePlatform(selectProfiles(argv, env));
  } catch (error) {
    const message = error instanceof Error ? (env.DEBUG ? error.stack : error.message) : String(error);
    process.stderr.write(`synth failed, dist/ left unchanged:\n${message}\n`);
    return 1;
  }
  writeRendered(path.join(ROOT, 'dist'), rendered);
  // `cdk8s synth` (and `--stdout`) read what the app leaves in CDK8S_OUTDIR.
  const cliOutdir = env.CDK8S_OUTDIR;
  if (cliOutdir) writeRendered(path.resolve(cliOutdir), rendered);
  for (const { profile, objects, gates } of rendered) {
    process.stderr.write(`dist/${profile.name}: ${objects.length} objects, Kubernetes ${profile.kubeVersion}, gates passed` +
      (gates.warnings.length ? ` with ${gates.warnings.length} warning(s)` : '') + '\n');
  }
  return 0;
}
