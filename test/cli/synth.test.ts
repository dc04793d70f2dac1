import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { transformSync } from 'esbuild';
import * as lib from '../../lib';
import { run } from '../../lib/cli/bin';
import { PlatformDefinition, runSynth, scaffold, scaffoldFiles, snapshotFiles } from '../../lib';
import { readTree } from '../support/files';
import { installed } from '../support/tools';

/** Runs a scaffold's TypeScript files as its repository would, with 'cdk8s-stateful-ml' resolved to this checkout. */
function loadScaffold(files: Record<string, string>, edit: (name: string, code: string) => string = (_n, c) => c): PlatformDefinition {
  const modules = new Map<string, any>();
  const load = (name: string): any => {
    if (modules.has(name)) return modules.get(name);
    const { code } = transformSync(edit(name, files[name]), { loader: 'ts', format: 'cjs' });
    const module = { exports: {} as any };
    modules.set(name, module.exports);
    const requireShim = (id: string) => (id === 'cdk8s-stateful-ml' ? lib : id.startsWith('./') ? load(`${id.slice(2)}.ts`) : require(id));
    new Function('module', 'exports', 'require', code)(module, module.exports, requireShim);
    modules.set(name, module.exports);
    return module.exports;
  };
  return load('main.ts').default;
}

describe('the public synth entry with a scaffolded repository', () => {
  let tmp: string;
  const files = scaffoldFiles({ name: 'ml-platform', profiles: ['kind', 'gke'], repoUrl: 'https://github.com/acme/ml-platform.git' });
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const synth = (definition: () => PlatformDefinition, argv: string[] = []) => {
    const lines: string[] = [];
    const code = runSynth({ root: tmp, load: definition, argv, env: {}, log: (l) => lines.push(l) });
    return { code, log: lines.join('\n') };
  };

  test('renders every profile and dist/argocd; snapshotFiles returns exactly the files written', () => {
    const platform = loadScaffold(files);
    const { code, log } = synth(() => platform);
    expect(code).toBe(0);
    // Outside a repository (or without git at all) the guard says why it did not run.
    expect(log).toContain(installed('git') ? `upgrade guard skipped: no git repository or no commit 'HEAD' in ${tmp}` : 'upgrade guard skipped: git is not installed');
    const written = readTree(path.join(tmp, 'dist'));
    for (const folder of ['kind', 'gke', 'argocd']) {
      const expected = Object.fromEntries(Object.entries(snapshotFiles(platform, folder)).map(([f, c]) => [`${folder}/${f}`, c]));
      expect(Object.fromEntries(Object.entries(written).filter(([f]) => f.startsWith(`${folder}/`)))).toEqual(expected);
    }
    expect(Object.keys(written).filter((f) => f.startsWith('kind/')).sort()).toEqual([
      'kind/CAPACITY.md', 'kind/SECRETS.md', 'kind/kustomization.yaml', 'kind/platform.k8s.yaml', 'kind/secrets.json', 'kind/topology.dot', 'kind/topology.mmd',
    ]);
    expect(written['kind/platform.k8s.yaml']).toContain('argocd.argoproj.io/sync-wave');
    expect(written['argocd/applications.yaml']).toContain('repoURL: https://github.com/acme/ml-platform.git');
    expect(() => snapshotFiles(platform, 'eks')).toThrow('snapshotFiles: synth writes no dist/eks/: the folders are kind, gke, argocd.');
  });

  test('a throw in main.ts, in build, or a failed gate: exit 1 and dist/ untouched', () => {
    expect(synth(() => loadScaffold(files)).code).toBe(0);
    const before = readTree(path.join(tmp, 'dist'));
    const thrown = synth(() => loadScaffold(files, (name, code) => (name === 'main.ts' ? `${code}\nthrow new Error('boom');\n` : code)));
    expect(thrown).toEqual({ code: 1, log: 'synth failed, ' + path.relative(process.cwd(), path.join(tmp, 'dist')) + '/ left unchanged:\nboom' });
    const badSize = synth(() => loadScaffold(files, (_name, code) => code.replace("size: '20Gi'", "size: '20 GB'")));
    expect(badSize.code).toBe(1);
    expect(badSize.log).toContain("20 GB");
    const gate = synth(() => loadScaffold(files, (name, code) => (name === 'platform.ts'
      ? code.replace("new WorkloadNamespace(chart, 'ml-db', { name: 'ml-db' });",
        "new WorkloadNamespace(chart, 'ml-db', { name: 'ml-db' });\n  new (require('cdk8s').ApiObject)(chart, 'leak', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw', namespace: 'ml-db' }, stringData: { password: 'x' } });")
      : code)));
    expect(gate.code).toBe(1);
    expect(gate.log).toMatch(/profile kind: gates failed:\n.*Secret ml-db\/pw/);
    expect(readTree(path.join(tmp, 'dist'))).toEqual(before);
  });

  test('--profile renders one profile and keeps dist/argocd; --check-upgrade writes nothing', () => {
    const platform = loadScaffold(files);
    expect(synth(() => platform, ['--check-upgrade']).code).toBe(0);
    expect(fs.existsSync(path.join(tmp, 'dist'))).toBe(false);
    expect(synth(() => platform).code).toBe(0);
    fs.writeFileSync(path.join(tmp, 'dist/argocd/applications.yaml'), 'kept\n');
    expect(synth(() => platform, ['--profile', 'kind']).code).toBe(0);
    expect(fs.readFileSync(path.join(tmp, 'dist/argocd/applications.yaml'), 'utf8')).toBe('kept\n');
    const unknown = synth(() => platform, ['--profile', 'aks']);
    expect(unknown.code).toBe(1);
    expect(unknown.log).toContain("Unknown profile 'aks': the app renders kind, gke.");
  });

  test('a definition without profiles, or with two of one name, is refused with the fix', () => {
    expect(synth(() => ({ profiles: [], build: () => undefined })).log).toContain('definePlatform: profiles is empty');
    expect(synth(() => ({ profiles: [lib.Profile.kind(), lib.Profile.kind()], build: () => undefined })).log)
      .toContain("definePlatform: two profiles are named 'kind' (each renders dist/kind/)");
  });
});

describe('init', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'init-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('writes the repository; cdk8s.yaml never points the CLI at dist/', () => {
    const written = scaffold(path.join(tmp, 'repo'), { profiles: ['eks'] });
    expect(written).toEqual(['package.json', 'cdk8s.yaml', 'tsconfig.json', 'jest.config.js', '.gitignore', 'main.ts', 'platform.ts', 'test/platform.test.ts', 'README.md']);
    const cdk8sYaml = fs.readFileSync(path.join(tmp, 'repo/cdk8s.yaml'), 'utf8');
    const output = /^output: (.*)$/m.exec(cdk8sYaml)![1];
    expect(output).toBe('.cdk8s.out');
    expect(path.resolve(tmp, 'repo', output)).not.toBe(path.resolve(tmp, 'repo', 'dist'));
    const manifest = JSON.parse(fs.readFileSync(path.join(tmp, 'repo/package.json'), 'utf8'));
    const own = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'repo',
      dependencies: { 'cdk8s-stateful-ml': `^${own.version}`, cdk8s: own.dependencies.cdk8s, constructs: own.dependencies.constructs },
      devDependencies: { typescript: own.devDependencies.typescript, 'cdk8s-cli': own.devDependencies['cdk8s-cli'] },
    });
    expect(manifest.devDependencies.typescript).toMatch(/^~5\.9\./);
    expect(fs.readFileSync(path.join(tmp, 'repo/main.ts'), 'utf8')).toContain('profiles: [Profile.eks()]');
    expect(fs.readFileSync(path.join(tmp, 'repo/.gitignore'), 'utf8')).not.toMatch(/^\/?dist/m);
  });

  test('refuses to overwrite, unknown profiles and bad URLs, naming the fix', () => {
    scaffold(tmp);
    expect(() => scaffold(tmp)).toThrow(`${tmp} already has package.json, cdk8s.yaml, tsconfig.json, jest.config.js, .gitignore, main.ts, platform.ts, test/platform.test.ts, README.md: init into an empty folder, or move them away first.`);
    expect(() => scaffoldFiles({ name: 'x', profiles: ['gcp'] })).toThrow("--profiles: unknown profile 'gcp': choose from kind, gke, eks, aks (e.g. --profiles kind,gke).");
    expect(() => scaffoldFiles({ name: 'x', repoUrl: "https://x/'y" })).toThrow("--repo-url: 'https://x/'y' is not a git URL");
  });

  test('the command: init writes, unknown commands fail with the usage', () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(run(['init', 'repo', '--profiles', 'kind,aks', '--repo-url', 'https://github.com/acme/p.git'], {}, tmp)).toBe(0);
      expect(fs.readFileSync(path.join(tmp, 'repo/main.ts'), 'utf8')).toContain("gitops: { repoUrl: 'https://github.com/acme/p.git', targetRevision: 'main' }");
      expect(run(['init', 'repo'], {}, tmp)).toBe(1);
      expect(run(['deploy'], {}, tmp)).toBe(1);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain("unknown command 'deploy'.\nUsage: cdk8s-stateful-ml <command>");
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('the secrets command', () => {
  // A scaffold inside this checkout, so 'cdk8s-stateful-ml' resolves to lib/ (jest's moduleNameMapper).
  const dir = path.join(__dirname, '..', '..', '.scaffold-secrets-test');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('prints every Secret of each profile, as JSON or markdown', () => {
    fs.rmSync(dir, { recursive: true, force: true });
    scaffold(dir, { profiles: ['kind', 'aks'] });
    const out: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    try {
      expect(run(['secrets', '--json'], {}, dir)).toBe(0);
      expect(run(['secrets', '--profile', 'aks'], {}, dir)).toBe(0);
    } finally {
      stdout.mockRestore();
    }
    const json = JSON.parse(out[0]);
    expect(Object.keys(json)).toEqual(['kind', 'aks']);
    expect(json.kind.map(({ readBy, ...rest }: any) => rest)).toEqual([{
      namespace: 'ml-db', name: 'postgres-credentials', keys: ['password', 'username'], readWhole: false,
      kubectl: 'kubectl -n ml-db create secret generic postgres-credentials --from-literal=password=<password> --from-literal=username=<username>',
    }]);
    // Read by the database's pods only (env of its containers, a projected volume).
    expect(new Set(json.kind[0].readBy.map((r: any) => r.object))).toEqual(new Set(['StatefulSet ml-db/postgres']));
    expect(json.kind[0].readBy.map((r: any) => r.via).filter((v: string) => !/^(env \w+ \(container [a-z-]+\)|(projected )?volume [a-z-]+)$/.test(v))).toEqual([]);
    expect(out[1]).toMatch(/^# Secrets: aks \(Kubernetes 1\.35\)\n/);
    expect(out[1]).toContain('kubectl -n ml-db create secret generic postgres-credentials');
  });
});
