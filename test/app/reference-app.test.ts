import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { Profile, StorageClassPack } from '../../lib';
import { renderWith, selectProfiles, synthesize } from '../../apps/main';
import { NAMESPACES, buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { Manifest, all, find, selects } from '../support/synth';
import { readTree } from '../support/files';

const ROOT = path.resolve(__dirname, '../..');

describe('reference platform', () => {
  const rendered = referenceProfiles().map((profile) => renderWith(profile, buildPlatform));

  test('renders kind, gke, eks and aks, each passing the schema and policy gates', () => {
    expect(rendered.map((r) => r.profile.name)).toEqual(['kind', 'gke', 'eks', 'aks']);
    for (const r of rendered) {
      expect(r.gates.errors).toEqual([]);
      expect(r.gates.ok).toBe(true);
    }
  });

  test.each(referenceProfiles().map((p) => [p.name]))('%s: the four namespaces enforce PSS restricted at the profile version', (name) => {
    const r = rendered.find((x) => x.profile.name === name)!;
    const namespaces = all(r.objects as Manifest[], 'Namespace');
    expect(namespaces.map((n) => n.metadata.name)).toEqual(Object.values(NAMESPACES));
    for (const ns of namespaces) {
      expect(ns.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': `v${r.profile.kubeVersion}`,
      });
    }
  });

  test('storage classes per profile: the shared tier only where the cluster provides it without an undeclared input', () => {
    const classes = (name: string) => all(rendered.find((r) => r.profile.name === name)!.objects as Manifest[], 'StorageClass')
      .map((o) => `${o.metadata.name}=${o.provisioner}`);
    expect(classes('kind')).toEqual(['ml-standard-v1', 'ml-fast-v1', 'ml-iops-v1', 'ml-throughput-v1'].map((n) => `${n}=rancher.io/local-path`));
    // GKE Filestore needs the cluster's VPC and EKS an EFS file system: the reference cluster configs declare neither.
    expect(classes('gke')).toEqual(['ml-standard-v1', 'ml-fast-v1', 'ml-iops-v1', 'ml-throughput-v1'].map((n) => `${n}=pd.csi.storage.gke.io`));
    expect(classes('eks')).toEqual(['ml-standard-v1', 'ml-fast-v1', 'ml-iops-v1', 'ml-throughput-v1'].map((n) => `${n}=ebs.csi.aws.com`));
    expect(classes('aks')).toContain('ml-shared-v1=file.csi.azure.com');
    const eksFast = find(rendered.find((r) => r.profile.name === 'eks')!.objects as Manifest[], 'StorageClass', 'ml-fast-v1');
    expect(eksFast.parameters.encrypted).toBe('true');
  });

  test.each(referenceProfiles().map((p) => [p.name]))('%s: MinIO and MLflow admit the trainer pods on their ports', (name) => {
    const objects = rendered.find((x) => x.profile.name === name)!.objects as Manifest[];
    // The trainer is a Job, or a StatefulSet where GPU ranks have no ReadWriteMany checkpoint tier (gke, eks).
    const trainerLabels = (objects.find((o) => ['Job', 'StatefulSet'].includes(o.kind) && o.metadata.name === 'pytorch') as Manifest).spec.template.metadata.labels;
    const admitsTrainer = (policy: Manifest, port: number) => policy.spec.ingress.some((rule: any) =>
      rule.ports?.some((p: any) => p.port === port) && rule.from.some((f: any) =>
        f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === NAMESPACES.training
        && selects(f.podSelector.matchLabels, trainerLabels)));
    expect(admitsTrainer(find(objects, 'NetworkPolicy', 'minio'), 9000)).toBe(true);
    expect(admitsTrainer(find(objects, 'NetworkPolicy', 'mlflow'), 5000)).toBe(true);
  });

  test('output is byte-identical across renders', () => {
    const again = referenceProfiles().map((profile) => renderWith(profile, buildPlatform));
    expect(again.map((r) => r.files)).toEqual(rendered.map((r) => r.files));
  });
});

describe('safe synth', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
    fs.mkdirSync(path.join(outdir, 'kind'));
    fs.writeFileSync(path.join(outdir, 'kind', 'platform.k8s.yaml'), 'previous render\n');
  });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('bad props: exit 1 with the message, previous output untouched', () => {
    const lines: string[] = [];
    const code = synthesize({
      outdir,
      profiles: () => [Profile.kind()],
      build: (app, profile) => {
        profile.attachTo(app);
        new StorageClassPack(new Chart(app, 'platform'), 'storage', { tiers: ['shared'] });
      },
      log: (l) => lines.push(l),
    });
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain("Profile 'kind' has no 'shared' (ReadWriteMany) storage tier");
    expect(readTree(outdir)).toEqual({ 'kind/platform.k8s.yaml': 'previous render\n' });
  });

  test('a failed gate in any profile: nothing is written for any profile', () => {
    const lines: string[] = [];
    const code = synthesize({
      outdir,
      profiles: () => [Profile.gke(), Profile.kind()],
      build: (app, profile) => {
        buildPlatform(app, profile);
        if (profile.name === 'kind') {
          new ApiObject(new Chart(app, 'leak'), 'secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw', namespace: 'ml-db' }, stringData: { password: 'hunter2' } });
        }
      },
      log: (l) => lines.push(l),
    });
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/profile kind: gates failed:\n.*Secret ml-db\/pw/);
    expect(readTree(outdir)).toEqual({ 'kind/platform.k8s.yaml': 'previous render\n' });
  });

  test('success replaces each profile folder whole (stale files vanish)', () => {
    fs.writeFileSync(path.join(outdir, 'kind', 'stale.k8s.yaml'), 'old\n');
    const code = synthesize({ outdir, profiles: () => [Profile.kind()], build: buildPlatform, log: () => undefined });
    expect(code).toBe(0);
    const files = Object.keys(readTree(outdir));
    expect(files).toContain('kind/platform.k8s.yaml');
    expect(files).not.toContain('kind/stale.k8s.yaml');
    expect(fs.readFileSync(path.join(outdir, 'kind', 'platform.k8s.yaml'), 'utf8')).toContain('kind: StorageClass');
  });

  test('the CLI exits non-zero on an unknown profile and leaves its output folder alone', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'apps/run.js'), '--profile', 'nope', '--outdir', outdir], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Unknown profile 'nope': the app renders kind, gke, eks, aks.");
    expect(readTree(outdir)).toEqual({ 'kind/platform.k8s.yaml': 'previous render\n' });
  });

  test('the CLI renders a selected profile into --outdir', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'apps/run.js'), '--profile', 'kind', '--outdir', outdir, '--no-upgrade-guard'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(Object.keys(readTree(outdir))).toContain('kind/kustomization.yaml');
    expect(fs.readFileSync(path.join(outdir, 'kind', 'platform.k8s.yaml'), 'utf8')).toContain('name: ml-db');
  });
});

describe('profile selection', () => {
  test('flag, env var, default', () => {
    expect(selectProfiles(['--profile', 'eks,kind'], {}).map((p) => p.name)).toEqual(['kind', 'eks']);
    expect(selectProfiles(['--profile=aks'], {}).map((p) => p.name)).toEqual(['aks']);
    expect(selectProfiles([], { PROFILES: 'gke' }).map((p) => p.name)).toEqual(['gke']);
    expect(selectProfiles([], {}).map((p) => p.name)).toEqual(['kind', 'gke', 'eks', 'aks']);
  });
});
