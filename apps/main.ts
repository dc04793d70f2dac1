import { App } from 'cdk8s';
import { Profile, PlatformDefinition, RenderedProfile, definePlatform, renderWith, selectProfiles as selectFrom } from '../lib';
import { REFERENCE_GITOPS } from './gitops';
import { buildPlatform } from './platform';
import { referenceProfiles } from './profiles';

/**
 * The reference platform, rendered by the same public entry every repository uses: `cdk8s-stateful-ml synth`
 * (apps/run.js runs it with `--app apps/main.ts`), exactly as a repository made by `cdk8s-stateful-ml init` does.
 */
const platform: PlatformDefinition = definePlatform({
  profiles: referenceProfiles(),
  build: (app: App, profile: Profile) => { buildPlatform(app, profile); },
  gitops: REFERENCE_GITOPS,
});
export default platform;

// The public entry's building blocks, re-exported for the reference app's tests.
export { renderWith, synthesize } from '../lib';

/** Profiles named by `--profile a,b` or `PROFILES=a,b` among the reference profiles (all by default). */
export function selectProfiles(argv: readonly string[], env: NodeJS.ProcessEnv, all: readonly Profile[] = referenceProfiles()): Profile[] {
  return selectFrom(argv, env, all);
}

/** Renders the reference app's profile `name`: what a render worker thread runs (SynthOptions.workers). */
export function renderReferenceProfile(name: string): RenderedProfile {
  const profile = referenceProfiles().find((p) => p.name === name);
  if (!profile) throw new Error(`Unknown profile '${name}'`);
  return renderWith(profile, (app, p) => { buildPlatform(app, p); });
}
