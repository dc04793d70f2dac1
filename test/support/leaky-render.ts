/**
 * A render worker module for the parallel synth tests: the reference platform, plus a Secret with literal data
 * (which the gates refuse) in profile `gke`. `buildLeaky` is the same build for the calling thread.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Profile, RenderedProfile } from '../../lib';
import { renderWith } from '../../apps/main';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';

export function buildLeaky(app: App, profile: Profile): void {
  buildPlatform(app, profile);
  if (profile.name === 'gke') {
    new ApiObject(new Chart(app, 'leak'), 'secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw', namespace: 'ml-db' }, stringData: { password: 'hunter2' } });
  }
}

export function renderLeaky(name: string): RenderedProfile {
  return renderWith(referenceProfiles().find((p) => p.name === name)!, buildLeaky);
}
