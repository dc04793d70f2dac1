import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { transformSync } from 'esbuild';
import * as lib from '../lib';
import { TIER_TABLE_BEGIN, TIER_TABLE_END, storageTierTable, withTierTable } from '../lib/profiles';
import { Manifest, find } from './support/synth';
import { readmeTierProfiles, renderReadme } from '../apps/readme';

/** The README's composition example, run as a user would paste it. */
function runReadmeExample(): { app: App; profile: lib.Profile } {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## What you write'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
  const { code: js } = transformSync(`${code}\nmodule.exports = { app, profile };`, { loader: 'ts', format: 'cjs' });
  const module = { exports: {} as any };
  const requireShim = (id: string) => (id === 'cdk8s-stateful-ml' ? lib : require(id));
  new Function('module', 'exports', 'require', js)(module, module.exports, requireShim);
  return module.exports;
}

describe('README example', () => {
  const { app, profile } = runReadmeExample();
  const rendered = lib.renderProfile(app, profile);
  const objects = rendered.objects as Manifest[];

  test('renders and passes the gates for its profile', () => {
    expect(profile.name).toBe('gke');
    expect(profile.kubeVersion.toString()).toBe('1.31');
    expect(rendered.gates.errors).toEqual([]);
  });

  test('the wiring the README promises', () => {
    // db.primaryHost resolves through the governing headless Service.
    expect(find(objects, 'StatefulSet', 'postgres').spec.serviceName).toBe('postgres-headless');
    // -rw follows the Patroni leader by its role label, -ro the replicas.
    expect(find(objects, 'Service', 'postgres-rw').spec.selector.role).toBe('primary');
    expect(find(objects, 'Service', 'postgres-ro').spec.selector.role).toBe('replica');
    const mlflowEnv = find(objects, 'Deployment', 'mlflow').spec.template.spec.containers[0].env;
    expect(mlflowEnv.find((e: any) => e.name === 'MLFLOW_BACKEND_STORE_URI').value)
      .toBe('postgresql://mlflow:$(DB_PASSWORD)@postgres-rw.ml-db.svc.cluster.local:5432/mlflow');
    // The training run is an Indexed Job whose rank 0 is MASTER_ADDR through the headless Service.
    expect(find(objects, 'Job', 'pytorch').spec.completionMode).toBe('Indexed');
    const trainerEnv = find(objects, 'Job', 'pytorch').spec.template.spec.containers[0].env;
    expect(trainerEnv.find((e: any) => e.name === 'MASTER_ADDR').value).toBe('pytorch-0.pytorch-headless.ml-training.svc.cluster.local');
    expect(trainerEnv.find((e: any) => e.name === 'MLFLOW_TRACKING_URI').value).toBe('http://mlflow.ml-tracking.svc.cluster.local:5000');
    expect(objects.filter((o) => o.kind === 'StorageClass').map((o) => o.metadata.name)).toEqual(
      ['ml-standard-v1', 'ml-fast-v1', 'ml-iops-v1', 'ml-throughput-v1', 'ml-shared-v1']);
  });
});

describe('README storage tier table', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

  test('is exactly what the profiles generate (npm run readme)', () => {
    const block = (text: string) => text.slice(text.indexOf(TIER_TABLE_BEGIN), text.indexOf(TIER_TABLE_END));
    expect(block(readme)).toBe(block(renderReadme(readme)));
    expect(renderReadme(readme)).toBe(readme);
  });

  test('names the disk every profile provisions for every tier', () => {
    const profiles = readmeTierProfiles();
    const table = storageTierTable(profiles);
    for (const [index, profile] of profiles.entries()) {
      for (const tier of profile.tierNames) {
        const spec = profile.tier(tier);
        const cells = table.split('\n').find((l) => l.startsWith(`| \`${tier}\` |`))!.split(' | ');
        expect(cells[index + 1]).toContain(spec.description!);
        if (spec.nodeAffinity) expect(cells[index + 1]).toContain(spec.nodeAffinity.reason);
      }
    }
    // The GKE defaults the review found wrong in the old README: the code's disks, not pd-extreme / hyperdisk-throughput.
    expect(table).toContain('| `iops` | SSD PD (pd-ssd)');
    expect(readme).not.toMatch(/pd-extreme \/ hyperdisk-throughput/);
  });

  test('fails loudly without its markers', () => {
    expect(() => withTierTable('# no block', 'x')).toThrow("README has no '<!-- storage-tiers:begin");
  });
});
