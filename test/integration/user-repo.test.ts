/**
 * A repository of your own, end to end, as a new user makes one on a fresh machine: `npm pack` this library,
 * `cdk8s-stateful-ml init` into a temporary folder, `npm install` (the library from the tarball, the toolchain
 * from the npm registry), `npx cdk8s synth`, `npm test`. Then the guarantees: a throw in main.ts leaves dist/
 * byte-identical, a committed database growing 20Gi -> 30Gi is refused with the safe path, and the scaffold's
 * jest snapshot holds exactly the files synth wrote. Needs network access to the npm registry (or its mirror).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Profile, SchemaValidator, parseManifests } from '../../lib';

const ROOT = path.resolve(__dirname, '../..');
const REPO_URL = 'https://github.com/acme/ml-platform.git';
const PROFILES = ['kind', 'gke', 'eks', 'aks'];

/** Every file under `dir` (relative path -> sha256), to compare trees byte for byte. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('a repository made with cdk8s-stateful-ml init', () => {
  let tmp: string;
  let repo: string;
  let initMs = 0;
  let firstSynthMs = 0;
  const env = { ...process.env, CDK8S_UPGRADE_GUARD: '', CDK8S_UPGRADE_GUARD_REF: '', PROFILES: '', PROFILE: '', DEBUG: '' };
  const run = (command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    spawnSync(command, args, { cwd: repo, encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 120000 });
  /** A command that must succeed; on failure its output is the assertion's message. */
  const succeeded = (result: ReturnType<typeof run>) => {
    if (result.status !== 0) throw new Error(`${result.error ?? `exit ${result.status} (signal ${result.signal})`}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
    return result;
  };
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo, stdio: 'pipe' });

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'user-repo-'));
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = path.join(tmp, packed.trim().split('\n').pop()!);
    execFileSync('tar', ['xzf', tarball, '-C', tmp]);
    repo = path.join(tmp, 'ml-platform');
    // `init` needs only Node.js: it runs from the unpacked package before anything is installed.
    let started = Date.now();
    const init = spawnSync(process.execPath, [path.join(tmp, 'package', 'bin', 'cdk8s-stateful-ml.js'), 'init', 'ml-platform',
      '--profiles', PROFILES.join(','), '--repo-url', REPO_URL, '--library', `file:${tarball}`], { cwd: tmp, encoding: 'utf8' });
    initMs = Date.now() - started;
    if (init.status !== 0) throw new Error(`init failed:\n${init.stderr}`);
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {});
    if (install.status !== 0) throw new Error(`npm install failed:\n${install.stderr}`);
    git('init', '-q');
    started = Date.now();
    const synth = run('npx', ['cdk8s', 'synth']);
    firstSynthMs = Date.now() - started;
    if (synth.status !== 0) throw new Error(`first synth failed:\n${synth.stderr}`);
    process.stdout.write(`init ${initMs} ms + first npx cdk8s synth ${firstSynthMs} ms (without npm install)\n`);
  }, 230000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the scaffold pins typescript ~5.9 and a cdk8s.yaml whose output folder is not dist/', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    expect(manifest.devDependencies.typescript).toMatch(/^~5\.9\./);
    expect(fs.readFileSync(path.join(repo, 'cdk8s.yaml'), 'utf8')).toMatch(/^app: node node_modules\/cdk8s-stateful-ml\/bin\/cdk8s-stateful-ml\.js synth\noutput: \.cdk8s\.out\n/m);
    expect(fs.readFileSync(path.join(repo, 'platform.ts'), 'utf8')).toContain("size: '20Gi'");
    expect(initMs + firstSynthMs).toBeLessThan(60000);
  });

  test('synth wrote every profile, strictly valid for its Kubernetes version, and the Argo CD Applications for the repository', () => {
    expect(fs.readdirSync(path.join(repo, 'dist')).sort()).toEqual([...PROFILES, 'argocd'].sort());
    const versions: Record<string, string> = Object.fromEntries([Profile.kind(), Profile.gke(), Profile.eks(), Profile.aks()].map((p) => [p.name, p.kubeVersion.toString()]));
    for (const profile of PROFILES) {
      const folder = path.join(repo, 'dist', profile);
      const files = fs.readdirSync(folder).sort();
      expect(files).toEqual(['CAPACITY.md', 'SECRETS.md', 'kustomization.yaml', 'platform.k8s.yaml', 'secrets.json', 'topology.dot', 'topology.mmd']);
      const objects = parseManifests(fs.readFileSync(path.join(folder, 'platform.k8s.yaml'), 'utf8'), `${profile}/platform.k8s.yaml`);
      const validator = SchemaValidator.forVersion(versions[profile]);
      expect(objects.flatMap((o) => validator.validate(o))).toEqual([]);
      const postgres = objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'postgres') as any;
      expect(postgres.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
      expect(postgres.metadata.annotations['argocd.argoproj.io/sync-wave']).toBeDefined();
      const secrets = JSON.parse(fs.readFileSync(path.join(folder, 'secrets.json'), 'utf8')).secrets;
      expect(secrets.map((s: any) => [s.namespace, s.name, s.keys, s.kubectl])).toEqual([[
        'ml-db', 'postgres-credentials', ['password', 'username'],
        'kubectl -n ml-db create secret generic postgres-credentials --from-literal=password=<password> --from-literal=username=<username>',
      ]]);
    }
    const apps = parseManifests(fs.readFileSync(path.join(repo, 'dist/argocd/applications.yaml'), 'utf8'), 'argocd/applications.yaml') as any[];
    expect(apps.map((a) => [a.metadata.name, a.spec.source.repoURL, a.spec.source.path])).toEqual(
      PROFILES.map((p) => [`ml-platform-${p}`, REPO_URL, `dist/${p}`]));
    expect(apps.flatMap((a) => SchemaValidator.forVersion('1.30').validate(a))).toEqual([]);
  });

  test("the scaffold's jest test passes, and its snapshot holds exactly the files in dist/", () => {
    // As on a developer's machine: under CI=true (set by most CI runners) jest runs in --ci mode and refuses to write
    // new snapshots, so the first run says so explicitly.
    const first = succeeded(run('npm', ['test', '--', '--ci=false']));
    expect(first.stderr).toMatch(/28 snapshots written/);
    // jest writes each string snapshot as `\n"<content>"\n` inside a template literal; requiring the file evaluates it.
    const snap = require(path.join(repo, 'test/__snapshots__/platform.test.ts.snap')) as Record<string, string>;
    const expected: Record<string, string> = {};
    for (const profile of PROFILES) {
      for (const file of fs.readdirSync(path.join(repo, 'dist', profile))) {
        expected[`dist/${profile} is what synth writes: ${file} 1`] = `\n"${fs.readFileSync(path.join(repo, 'dist', profile, file), 'utf8')}"\n`;
      }
    }
    expect(Object.keys(snap).sort()).toEqual(Object.keys(expected).sort());
    for (const key of Object.keys(expected)) expect([key, snap[key]]).toEqual([key, expected[key]]);
    // And again in CI mode (a missing or different snapshot fails).
    succeeded(run('npx', ['jest', '--ci']));
  });

  test('a throw appended to main.ts: synth fails and dist/ is byte-identical', () => {
    const before = tree(path.join(repo, 'dist'));
    const main = fs.readFileSync(path.join(repo, 'main.ts'), 'utf8');
    fs.appendFileSync(path.join(repo, 'main.ts'), "\nthrow new Error('boom from main.ts');\n");
    try {
      const synth = run('npx', ['cdk8s', 'synth']);
      expect(synth.status).not.toBe(0);
      expect(synth.stderr).toContain('synth failed, dist/ left unchanged:\nboom from main.ts');
    } finally {
      fs.writeFileSync(path.join(repo, 'main.ts'), main);
    }
    expect(tree(path.join(repo, 'dist'))).toEqual(before);
  });

  test("committed, then the database grows '20Gi' -> '30Gi': synth is refused with the safe path, dist/ unchanged", () => {
    git('add', '-A');
    git('commit', '-q', '-m', 'platform');
    const before = tree(path.join(repo, 'dist'));
    const platform = path.join(repo, 'platform.ts');
    fs.writeFileSync(platform, fs.readFileSync(platform, 'utf8').replace("size: '20Gi'", "size: '30Gi'"));
    const synth = run('npx', ['cdk8s', 'synth']);
    expect(synth.status).not.toBe(0);
    for (const profile of PROFILES) expect(synth.stderr).toContain(`upgrade guard, dist/${profile} vs HEAD: 1 change(s) a live cluster refuses:`);
    expect(synth.stderr).toContain('StatefulSet ml-db/postgres spec.volumeClaimTemplates[data].spec.resources.requests.storage: changes "20Gi" -> "30Gi"');
    expect(synth.stderr).toContain('Safe path: grow each claim in place (data-postgres-0, data-postgres-1)');
    expect(synth.stderr).toContain('dist/ left unchanged.');
    expect(tree(path.join(repo, 'dist'))).toEqual(before);
    // The ref is a flag (or CDK8S_UPGRADE_GUARD_REF), as CI compares with the target branch.
    git('branch', 'main-before');
    const check = run('npx', ['cdk8s-stateful-ml', 'check-upgrade', '--upgrade-ref', 'main-before']);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('upgrade guard, dist/kind vs main-before: 1 change(s) a live cluster refuses:');
    expect(tree(path.join(repo, 'dist'))).toEqual(before);
  });
});
