import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ConfigMap } from 'cdk8s-plus-27';
import { Profile, StorageClassPack, WorkloadNamespace, parseManifests, renderProfile, writeRendered } from '../../lib';
import { writeForCli } from '../../lib/gitops';
import { describeEachShell } from '../support/shells';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'lib/gitops/scripts/cmp-generate.sh');
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

/** Two charts, so the profile folder has two manifest files. */
function renderSmall(profile: Profile) {
  const app = new App();
  profile.attachTo(app);
  const base = new Chart(app, 'platform');
  new WorkloadNamespace(base, 'ns', { name: 'ml-db' });
  new StorageClassPack(base, 'storage', { profile });
  new ConfigMap(new Chart(app, 'settings', { namespace: 'ml-db' }), 'cm', { metadata: { name: 'settings' }, data: { a: '1' } });
  return renderProfile(app, profile);
}

describeEachShell('cmp-generate.sh under %s', (shell) => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmp-'));
    fs.mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
    // A stand-in CLI that reports what it was given.
    fs.writeFileSync(path.join(dir, 'node_modules/.bin/cdk8s'), '#!/bin/sh\necho "args=$* PROFILES=$PROFILES GUARD=$CDK8S_UPGRADE_GUARD"\necho report >&2\n', { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const [bin, ...shellArgs] = shell;
  const args = [...shellArgs, SCRIPT];

  test('runs the synth for ARGOCD_ENV_PROFILE with the guard off; stdout is only the CLI output', () => {
    const run = spawnSync(bin, args, { cwd: dir, env: { PATH: process.env.PATH, ARGOCD_ENV_PROFILE: 'gke' }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('args=synth --stdout PROFILES=gke GUARD=off\n');
    expect(run.stderr).toBe('report\n');
  });

  test('no profile, a bad profile, no install: exit 1, message on stderr, nothing on stdout', () => {
    const run = (env: Record<string, string>, cwd = dir) => spawnSync(bin, args, { cwd, env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' });
    const none = run({});
    expect([none.status, none.stdout]).toEqual([1, '']);
    expect(none.stderr).toContain('no profile; set spec.source.plugin.env [{name: PROFILE, value: <profile>}] in the Application');
    const bad = run({ ARGOCD_ENV_PROFILE: 'gke;rm -rf /' });
    expect([bad.status, bad.stdout]).toEqual([1, '']);
    expect(bad.stderr).toContain("PROFILE 'gke;rm -rf /' is not a profile name");
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cmp-empty-'));
    const missing = run({ ARGOCD_ENV_PROFILE: 'gke' }, empty);
    fs.rmSync(empty, { recursive: true });
    expect([missing.status, missing.stdout]).toEqual([1, '']);
    expect(missing.stderr).toContain('node_modules/.bin/cdk8s not found');
  });
});

describe('kustomization.yaml', () => {
  test('lists every manifest file of the profile folder', () => {
    const rendered = renderSmall(Profile.kind());
    expect(rendered.files.map((f) => f.name)).toEqual(['platform.k8s.yaml', 'settings.k8s.yaml', 'kustomization.yaml']);
    expect(rendered.files[2].content).toBe('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - platform.k8s.yaml\n  - settings.k8s.yaml\n');
  });

  const kubectl = has('kubectl');
  if (!kubectl) {
    // Visible in the test output: the build assertion needs the binary.
    test.skip('kubectl kustomize dist/<profile> (skipped: kubectl is not installed)', () => undefined);
  } else {
    test.each(['kind', 'gke'])('kubectl kustomize builds dist/%s into exactly the rendered objects', (name) => {
      const profile = name === 'kind' ? Profile.kind() : Profile.gke();
      const rendered = renderSmall(profile);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
      try {
        writeRendered(out, [rendered]);
        const run = spawnSync('kubectl', ['kustomize', path.join(out, name)], { encoding: 'utf8' });
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
        const built = parseManifests(run.stdout, 'kubectl kustomize');
        expect(built.map(key).sort()).toEqual(rendered.objects.map(key).sort());
        const byKey = new Map(built.map((o) => [key(o), o]));
        for (const o of rendered.objects) expect(byKey.get(key(o))).toEqual(o);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  }
});

describe('cdk8s synth --stdout', () => {
  test('writeForCli: one file per profile, starting with a document separator, no kustomization.yaml', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    try {
      const rendered = renderSmall(Profile.kind());
      writeForCli(out, [rendered]);
      expect(fs.readdirSync(out)).toEqual(['kind.k8s.yaml']);
      const text = fs.readFileSync(path.join(out, 'kind.k8s.yaml'), 'utf8');
      expect(text.startsWith('---\n')).toBe(true);
      expect(parseManifests(text, 'cli')).toEqual(rendered.objects);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('PROFILES=kind npx cdk8s synth --stdout prints only the kind manifests', () => {
    const run = spawnSync('npx', ['--no-install', 'cdk8s', 'synth', '--stdout'], {
      cwd: ROOT, env: { ...process.env, PROFILES: 'kind', CDK8S_UPGRADE_GUARD: 'off' }, encoding: 'utf8', timeout: 60_000,
    });
    expect(run.stderr).toContain('dist/kind:');
    expect(run.status).toBe(0);
    const objects = parseManifests(run.stdout, 'stdout');
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.filter((o) => o.kind === 'Kustomization')).toEqual([]);
    for (const o of objects) expect(typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof o.metadata?.name === 'string').toBe(true);
    const classes = objects.filter((o) => o.kind === 'StorageClass').map((o: any) => o.provisioner);
    expect(new Set(classes)).toEqual(new Set(['rancher.io/local-path']));
    expect(run.stdout).not.toMatch(/^(dist\/|upgrade guard|synth failed|checked )/m);
  });
});
