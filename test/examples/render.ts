import { App } from 'cdk8s';
import { Profile, RenderedProfile, renderProfile } from '../../lib';
import { Manifest } from '../support/synth';

/** An example built into a fresh app and rendered as `npm run example` renders it (validations and gates), in memory. */
export function renderExample<T extends { readonly profile: Profile }>(
  build: (app: App, profile?: Profile) => T, profile?: Profile,
): T & { rendered: RenderedProfile; objects: Manifest[] } {
  const app = new App();
  const built = build(app, profile);
  const rendered = renderProfile(app, built.profile);
  return { ...built, rendered, objects: rendered.objects as Manifest[] };
}

/** A container's environment as name → value (or valueFrom). */
export function envOf(container: { env?: { name: string; value?: string; valueFrom?: unknown }[] }): Record<string, unknown> {
  return Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
}
