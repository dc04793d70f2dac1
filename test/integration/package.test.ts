import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

// `npm pack` must give an installable package: compiled JavaScript with type declarations, the
// shell scripts and the precompiled schema validators the constructs read at runtime.
describe('npm pack', () => {
  let tmp: string;
  let pkg: string;
  let files: string[];

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const tarball = path.join(tmp, out.trim().split('\n').pop()!);
    files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    execFileSync('tar', ['xzf', tarball, '-C', tmp]);
    pkg = path.join(tmp, 'package');
  }, 180000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('contains the entry point, its declarations, the scripts and the validators; no tests or sources', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('cdk8s-stateful-ml');
    expect(files).toEqual(expect.arrayContaining([
      `package/${manifest.main}`, `package/${manifest.types}`,
      'package/build/lib/databases/stateful-database.d.ts',
      'package/lib/databases/scripts/postgres-bootstrap.sh',
      'package/lib/scripts/prelude.sh',
      'package/build/lib/checks/schemas/compiled/v1.32.js',
      'package/LICENSE', 'package/README.md',
    ]));
    expect(files.filter((f) => f.startsWith('package/test/') || /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('the packaged library builds, validates and renders a database outside this repository', () => {
    const consumer = path.join(tmp, 'consumer.js');
    fs.writeFileSync(consumer, `
      const { App, Chart } = require('cdk8s');
      const lib = require(${JSON.stringify(pkg)});
      const app = new App();
      const profile = lib.Profile.aks();
      profile.attachTo(app);
      const chart = new Chart(app, 'db');
      const pack = new lib.StorageClassPack(chart, 'storage');
      const db = new lib.StatefulDatabase(chart, 'postgres', {
        engine: lib.DatabaseEngine.postgres('16.4'), replicas: 2, namespace: 'ml-db',
        storage: { tier: pack.fast, size: '20Gi' }, credentials: lib.Credentials.existingSecret('pg'),
      });
      // 5 StorageClasses; ConfigMap, StatefulSet, PDB and the headless, rw and ro Services.
      const rendered = lib.renderProfile(app, profile);
      const config = rendered.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'postgres-config');
      console.log(JSON.stringify({ host: db.primaryHost, ok: rendered.gates.ok, objects: rendered.objects.length,
        bootstrap: config.data['bootstrap.sh'].startsWith('#!/bin/sh') && config.data['bootstrap.sh'].includes('pod_ordinal() {') }));
    `);
    // Dependencies resolve from this repository's node_modules, as an installed package's would from the consumer's.
    const run = spawnSync(process.execPath, [consumer], { encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ host: 'postgres-0.postgres-headless.ml-db.svc.cluster.local', ok: true, objects: 11, bootstrap: true });
  });
});
