import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import * as fullPlatform from '../../examples/full-platform-gke/main';
import * as mariadb from '../../examples/mariadb/main';
import * as mysql from '../../examples/mysql/main';
import * as postgresOnly from '../../examples/postgres-only/main';
import * as trainingOnKind from '../../examples/training-on-kind/main';
import { toYaml } from '../../lib/gitops';
import { renderExample } from './render';

const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');
const EXAMPLES = {
  'full-platform-gke': fullPlatform, 'mariadb': mariadb, 'mysql': mysql, 'postgres-only': postgresOnly, 'training-on-kind': trainingOnKind,
} as const;
const runner = require(path.join(EXAMPLES_DIR, 'run.js')) as { examples(): string[] };

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [path.join(EXAMPLES_DIR, 'run.js'), ...args], {
    encoding: 'utf8', cwd: EXAMPLES_DIR, env: { PATH: process.env.PATH, ...env },
  });
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[path.relative(dir, path.join(entry.parentPath, entry.name))] = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

describe('examples/', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'examples-')); });
  afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

  test('five examples, each with main.ts, a README and a cdk8s.yaml that runs it through run.js', () => {
    expect(runner.examples()).toEqual(Object.keys(EXAMPLES));
    for (const name of runner.examples()) {
      const config = parse(fs.readFileSync(path.join(EXAMPLES_DIR, name, 'cdk8s.yaml'), 'utf8'));
      expect(config).toEqual({ language: 'typescript', app: `node ../run.js ${name}`, output: '.cdk8s.out' });
      const readme = fs.readFileSync(path.join(EXAMPLES_DIR, name, 'README.md'), 'utf8');
      expect(readme).toContain(`npm run example -- ${name}`);
      // Imported by package name, as a user's app does; never by a relative path into lib/.
      const main = fs.readFileSync(path.join(EXAMPLES_DIR, name, 'main.ts'), 'utf8');
      expect(main).toContain("from 'cdk8s-stateful-ml'");
      expect(main).not.toMatch(/from '\.\.\/|require\('\.\.\//);
    }
  });

  test.each(Object.keys(EXAMPLES))('%s: `node examples/run.js` writes exactly the in-memory render, gated', (name) => {
    const example = EXAMPLES[name as keyof typeof EXAMPLES];
    const { rendered } = renderExample(example.build as any);
    const result = run([name, '--outdir', tmp]);
    expect(result.stderr).toBe(`${path.relative(EXAMPLES_DIR, path.join(tmp, rendered.profile.name))}: ${rendered.objects.length} objects, ` +
      `Kubernetes ${rendered.profile.kubeVersion}, gates passed\n`);
    expect(result.status).toBe(0);
    const expected = Object.fromEntries(rendered.files.map((f) => [path.join(rendered.profile.name, f.name), f.content]));
    expect(readTree(tmp)).toEqual(expected);
  });

  test('with CDK8S_OUTDIR (the cdk8s CLI), also writes the one-file-per-profile stream `cdk8s synth --stdout` prints', () => {
    const cli = path.join(tmp, 'cli');
    const result = run(['postgres-only', '--outdir', path.join(tmp, 'dist')], { CDK8S_OUTDIR: cli });
    expect(result.status).toBe(0);
    const { rendered } = renderExample(postgresOnly.build);
    expect(fs.readdirSync(cli)).toEqual(['eks.k8s.yaml']);
    expect(fs.readFileSync(path.join(cli, 'eks.k8s.yaml'), 'utf8')).toBe(`---\n${toYaml(...rendered.objects)}`);
  });

  test('an unknown or missing example exits 2 listing the examples, writing nothing', () => {
    for (const args of [['postgres'], []]) {
      const result = run([...args, '--outdir', tmp]);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(`${args.length ? "Unknown example 'postgres'. " : ''}Usage: npm run example -- <full-platform-gke|mariadb|mysql|postgres-only|training-on-kind> [--outdir DIR]\n`);
    }
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
