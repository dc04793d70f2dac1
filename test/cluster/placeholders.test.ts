import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterConfig, Profile, renderProfile } from '../../lib';
import { REFERENCE_CLUSTERS } from '../../apps/clusters';
import { synthesize } from '../../apps/main';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';

const DIST = path.join(__dirname, '..', '..', 'dist');

/** Values reviews found in output that no real cluster has, or that only work on some clusters. */
const PLACEHOLDERS: ReadonlyArray<[string, RegExp]> = [
  ['the placeholder EFS id', /fs-0a1b2c3d4e5f60718|fs-0123456789abcdef0/],
  ['Filestore on the `default` VPC', /\bnetwork: ["']?default\b/],
  ['an accelerator label EKS node groups and Karpenter do not set', /k8s\.amazonaws\.com\/accelerator/],
  ['an example domain or organisation', /\bexample\.(com|org|net)\b|example-org/],
  ['a fill-me-in marker', /<your[-\s]|CHANGE[-_]?ME|\bTODO\b|REPLACE[-_]ME/i],
];

/** Cluster-specific identifiers in a manifest text: EFS/VPC/subnet ids, Filestore networks, zone pins, API servers. */
function clusterIds(text: string): string[] {
  const ids = new Set<string>();
  for (const m of text.matchAll(/\b(fs|fsap|vpc|subnet|sg)-[0-9a-f]{8,17}\b/g)) ids.add(m[0]);
  for (const m of text.matchAll(/^\s*(?:network|fileSystemId): ["']?([^"'\s]+)/gm)) ids.add(m[1]);
  for (const m of text.matchAll(/https:\/\/[A-Za-z0-9.-]+\.(?:eks\.amazonaws\.com|azmk8s\.io|googleapis\.com)\S*/g)) ids.add(m[0]);
  // Values a node affinity pins to zones.
  for (const m of text.matchAll(/key: topology\.kubernetes\.io\/zone\s+operator: In\s+values:\s+((?:\s*- \S+)+)/g)) {
    for (const v of m[1].matchAll(/- (\S+)/g)) ids.add(v[1]);
  }
  return [...ids].sort();
}

/** Files of the committed `dist/<profile>/` folders, and of `dist/argocd/`. */
function distFiles(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const folder of fs.readdirSync(DIST)) {
    const dir = path.join(DIST, folder);
    if (!fs.statSync(dir).isDirectory() || folder.startsWith('.')) continue;
    for (const name of fs.readdirSync(dir)) out.push({ file: `${folder}/${name}`, text: fs.readFileSync(path.join(dir, name), 'utf8') });
  }
  return out;
}

describe('no placeholder reaches dist/', () => {
  const files = distFiles();
  const profileFiles = files.filter((f) => !f.file.startsWith('argocd/'));
  const allowed = new Set(Object.values(REFERENCE_CLUSTERS).flatMap((c) => c.identifiers));

  test('dist/ holds every reference profile', () => {
    expect(new Set(profileFiles.map((f) => f.file.split('/')[0]))).toEqual(new Set(referenceProfiles().map((p) => p.name)));
  });

  test.each(PLACEHOLDERS)('absent from the profile folders: %s', (_what, pattern) => {
    expect(profileFiles.filter((f) => pattern.test(f.text)).map((f) => f.file)).toEqual([]);
  });

  test('dist/argocd has no cluster placeholder either (its destinations come from the cluster configs)', () => {
    for (const [, pattern] of PLACEHOLDERS.slice(0, 3)) expect(files.filter((f) => f.file.startsWith('argocd/') && pattern.test(f.text)).map((f) => f.file)).toEqual([]);
    const applications = files.find((f) => f.file === 'argocd/applications.yaml')!.text;
    for (const name of ['gke', 'eks', 'aks']) expect(applications).toContain(`name: ${REFERENCE_CLUSTERS[name].name}`);
  });

  test('every cluster-specific id in dist/ comes from the cluster config', () => {
    const stray = files.flatMap((f) => clusterIds(f.text).filter((id) => !allowed.has(id)).map((id) => `${f.file}: ${id}`));
    expect(stray).toEqual([]);
  });

  test('the scan finds ids: an EFS id, a network and zones from a config are reported unless the config declares them', () => {
    // The same scan over a render whose config declares them: everything it finds comes from the config.
    const cluster = ClusterConfig.of({ name: 'ml-eks', efsFileSystemId: 'fs-1f2e3d4c5b6a79880', zones: ['us-east-1a', 'us-east-1b'] });
    const app = new App();
    const profile = Profile.eks({ cluster });
    buildPlatform(app, profile);
    const text = renderProfile(app, profile).files.map((f) => f.content).join('\n');
    expect(clusterIds(text)).toEqual(['fs-1f2e3d4c5b6a79880']);
    expect(clusterIds(text).every((id) => cluster.identifiers.includes(id))).toBe(true);
    expect(clusterIds(text).filter((id) => !allowed.has(id))).toEqual(['fs-1f2e3d4c5b6a79880']);
    const gke = ClusterConfig.of({ name: 'ml-gke', network: 'projects/ml-host-project/global/networks/ml-vpc' });
    const gkeApp = new App();
    const gkeProfile = Profile.gke({ cluster: gke });
    buildPlatform(gkeApp, gkeProfile);
    expect(clusterIds(renderProfile(gkeApp, gkeProfile).files.map((f) => f.content).join('\n'))).toEqual(['projects/ml-host-project/global/networks/ml-vpc']);
  });
});

describe('ClusterConfig', () => {
  test('refuses placeholders and malformed ids, naming the field and the fix', () => {
    expect(() => ClusterConfig.of({ name: 'ml-eks', efsFileSystemId: 'fs-0a1b2c3d4e5f60718' })).toThrow(
      "ClusterConfig 'ml-eks': efsFileSystemId 'fs-0a1b2c3d4e5f60718' is a placeholder, not your cluster's value: put the real one here, or leave efsFileSystemId out to drop the feature that needs it.");
    expect(() => ClusterConfig.of({ name: 'ml-gke', network: 'default' })).toThrow(
      "ClusterConfig 'ml-gke': network 'default' is a placeholder, not your cluster's value");
    expect(() => ClusterConfig.of({ name: 'ml-eks', efsFileSystemId: 'my-fs' })).toThrow(
      "ClusterConfig 'ml-eks': efsFileSystemId 'my-fs' is not an EFS file system id (fs- and 8 or 17 hex digits): see 'aws efs describe-file-systems'.");
    expect(() => ClusterConfig.of({ name: 'ml-gke', network: 'projects/x/networks' })).toThrow("network 'projects/x/networks' is neither a VPC name nor projects/<project>/global/networks/<name>");
    expect(() => ClusterConfig.of({ name: 'ml', apiServer: 'http://10.0.0.1' })).toThrow("apiServer 'http://10.0.0.1' is not an https:// URL");
    expect(() => ClusterConfig.of({ name: 'ml', zones: [] })).toThrow('zones is empty');
    expect(() => ClusterConfig.of({ name: 'ml', gpuPools: [{ name: 'a' }, { name: 'a' }] })).toThrow("GPU pool 'a' is declared twice");
    expect(() => ClusterConfig.of({ name: 'ml', gpuPools: [{ name: 'a', nodeLabels: { 'bad key!': 'x' } }] })).toThrow("node label 'bad key!=x' is not a valid label");
  });

  test('a missing input drops its feature with a line for the synth log; declaring it brings the feature back', () => {
    expect(Profile.gke().omissions).toEqual(["no 'shared' (ReadWriteMany, Filestore) tier: the cluster config declares no network (ClusterConfig network: your cluster's VPC)"]);
    expect(Profile.gke().hasTier('shared')).toBe(false);
    const gke = Profile.gke({ cluster: ClusterConfig.of({ name: 'ml-gke', network: 'ml-vpc' }) });
    expect(gke.omissions).toEqual([]);
    expect(gke.tier('shared').parameters).toEqual({ tier: 'standard', network: 'ml-vpc' });
    expect(Profile.eks().omissions).toEqual(["no 'shared' (ReadWriteMany, EFS) tier: the cluster config declares no efsFileSystemId"]);
    expect(Profile.eks({ cluster: ClusterConfig.of({ name: 'ml-eks', efsFileSystemId: 'fs-1f2e3d4c5b6a79880' }) }).tier('shared').parameters.fileSystemId).toBe('fs-1f2e3d4c5b6a79880');
    expect(Profile.aks().omissions).toEqual([]);
    expect(referenceProfiles().map((p) => [p.name, p.omissions.length])).toEqual([['kind', 0], ['gke', 1], ['eks', 1], ['aks', 0]]);
  });

  test('the synth log says which features were left out, under the profile that lost them', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'omissions-'));
    try {
      const lines: string[] = [];
      expect(synthesize({ outdir, profiles: () => referenceProfiles().filter((p) => p.name !== 'kind'), build: buildPlatform, log: (l) => lines.push(l) })).toBe(0);
      const left = lines.filter((l) => l.startsWith('  left out: '));
      expect(left).toEqual([
        "  left out: no 'shared' (ReadWriteMany, Filestore) tier: the cluster config declares no network (ClusterConfig network: your cluster's VPC)",
        "  left out: no 'shared' (ReadWriteMany, EFS) tier: the cluster config declares no efsFileSystemId",
      ]);
      // Each under its own profile's block.
      const gke = lines.findIndex((l) => l.includes(`${path.sep}gke: `));
      const eks = lines.findIndex((l) => l.includes(`${path.sep}eks: `));
      expect(lines.indexOf(left[0])).toBeGreaterThan(gke);
      expect(lines.indexOf(left[0])).toBeLessThan(eks);
      expect(lines.indexOf(left[1])).toBeGreaterThan(eks);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('GPU pods: the GPU request and the cloud taints; label requirements only when a pool declares them', () => {
    for (const profile of [Profile.gke(), Profile.eks(), Profile.aks()]) expect(profile.gpuNodeSelectorTerms()).toBeUndefined();
    const labelled = Profile.eks({ cluster: ClusterConfig.of({ name: 'ml-eks', gpuPools: [{ name: 'p4d', nodeLabels: { 'karpenter.k8s.aws/instance-gpu-name': 'a100' }, taints: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }] }) });
    expect(labelled.gpuNodeSelectorTerms()).toEqual([{ matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['a100'] }] }]);
    expect(labelled.gpuTolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
    ]);
    expect(() => Profile.eks().gpuNodeSelectorTerms(['a100'])).toThrow(
      "Profile 'eks': accelerators [a100] select GPU nodes by label, but no GPU node label is declared: set gpu.nodeLabelKey on the profile (the label your GPU pools carry), or leave accelerators out.");
  });
});
