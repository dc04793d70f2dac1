/**
 * `cdk8s-stateful-ml init [dir]`: writes a working repository of your own, with every guarantee of the reference
 * app: one synth entry (`cdk8s-stateful-ml synth`, what `npx cdk8s synth` runs), a `cdk8s.yaml` whose `output`
 * folder is never `dist/`, a jest snapshot test of exactly what synth writes, and, with `--repo-url`, the Argo CD
 * Applications for that repository. Uses nothing but Node.js, so it runs before `npm install`.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Profiles the scaffold knows how to write (`--profiles kind,gke,eks,aks`). */
export const SCAFFOLD_PROFILES = ['kind', 'gke', 'eks', 'aks'] as const;

/** Options of `scaffold`. */
export interface ScaffoldOptions {
  /** Package name of the new repository. @default - the folder's name */
  readonly name?: string;
  /** Profiles to render, a subset of `kind`, `gke`, `eks`, `aks`. @default ['kind'] */
  readonly profiles?: readonly string[];
  /** Git URL of the new repository; when set, `dist/argocd/` gets an Argo CD Application per profile for it. @default - no Argo CD objects */
  readonly repoUrl?: string;
  /** Version range (or `file:` tarball) of cdk8s-stateful-ml in package.json. @default - `^` this package's version */
  readonly librarySpec?: string;
  /** Versions of the toolchain, by package name. @default - the versions this package is built and tested with */
  readonly versions?: Readonly<Record<string, string>>;
}

/** This package's package.json (two levels above build/lib/cli, or lib/cli in a checkout). */
function ownManifest(): { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> } {
  for (const up of ['../../..', '../..']) {
    const file = path.resolve(__dirname, up, 'package.json');
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (manifest.name === 'cdk8s-stateful-ml') return manifest;
    }
  }
  throw new Error('cdk8s-stateful-ml init: cannot find the package.json of cdk8s-stateful-ml next to its code.');
}

/** The toolchain a scaffold pins: the versions this package is built and tested with. */
function toolchain(): Record<string, string> {
  const own = ownManifest();
  const pick = (name: string) => own.dependencies[name] ?? own.devDependencies[name];
  return Object.fromEntries(['cdk8s', 'constructs', 'cdk8s-cli', 'typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'].map((n) => [n, pick(n)]));
}

const PROFILE_EXPRESSIONS: Record<string, string> = {
  kind: 'Profile.kind()',
  gke: 'Profile.gke()',
  eks: 'Profile.eks()',
  aks: 'Profile.aks()',
};

/** The files of a new repository, by path, in write order. Pure: nothing is written. */
export function scaffoldFiles(options: ScaffoldOptions & { readonly name: string }): Record<string, string> {
  const profiles = [...(options.profiles ?? ['kind'])];
  const unknown = profiles.filter((p) => !SCAFFOLD_PROFILES.includes(p as any));
  if (!profiles.length || unknown.length) {
    throw new Error(`--profiles: ${unknown.length ? `unknown profile '${unknown.join(', ')}'` : 'empty'}: choose from ${SCAFFOLD_PROFILES.join(', ')} (e.g. --profiles kind,gke).`);
  }
  if (options.repoUrl !== undefined && !/^(https:\/\/|ssh:\/\/|git@)[^\s'"\\`]+$/.test(options.repoUrl)) {
    throw new Error(`--repo-url: '${options.repoUrl}' is not a git URL: use e.g. https://github.com/acme/ml-platform.git.`);
  }
  if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(options.name)) {
    throw new Error(`'${options.name}' is not a valid npm package name: pass --name with lower-case letters, digits and '-'.`);
  }
  const own = ownManifest();
  const versions = { ...toolchain(), ...options.versions };
  const packageJson = {
    name: options.name,
    version: '0.1.0',
    private: true,
    scripts: {
      // The same as `npx cdk8s synth`, without the CLI's npm lookup of a newer cdk8s-cli on every run.
      synth: 'cdk8s synth --check-upgrade=false',
      'check-upgrade': 'cdk8s-stateful-ml check-upgrade',
      secrets: 'cdk8s-stateful-ml secrets',
      test: 'tsc --noEmit -p . && jest',
    },
    dependencies: {
      'cdk8s': versions.cdk8s,
      'cdk8s-stateful-ml': options.librarySpec ?? `^${own.version}`,
      'constructs': versions.constructs,
    },
    devDependencies: {
      '@types/jest': versions['@types/jest'],
      '@types/node': versions['@types/node'],
      'cdk8s-cli': versions['cdk8s-cli'],
      'jest': versions.jest,
      'ts-jest': versions['ts-jest'],
      'typescript': versions.typescript,
    },
  };
  const gitops = options.repoUrl
    ? `\n  // dist/argocd/applications.yaml: one Argo CD Application per profile, syncing dist/<profile>/ of this repository.\n` +
      `  gitops: { repoUrl: '${options.repoUrl}', targetRevision: 'main' },\n`
    : '\n  // Argo CD: add gitops: { repoUrl: \'https://github.com/acme/ml-platform.git\' } to render dist/argocd/.\n';
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'cdk8s.yaml': CDK8S_YAML,
    'tsconfig.json': TSCONFIG,
    'jest.config.js': JEST_CONFIG,
    '.gitignore': GITIGNORE,
    'main.ts': mainTs(profiles, gitops),
    'platform.ts': PLATFORM_TS,
    'test/platform.test.ts': TEST_TS,
    'README.md': readme(options.name, profiles, Boolean(options.repoUrl)),
  };
}

/**
 * Writes a new repository into `dir` (created if missing). Refuses to overwrite a file that exists, naming it.
 * Returns the paths written, relative to `dir`.
 */
export function scaffold(dir: string, options: ScaffoldOptions = {}): string[] {
  const target = path.resolve(dir);
  const files = scaffoldFiles({ ...options, name: options.name ?? (path.basename(target).toLowerCase().replace(/[^a-z0-9-._~]/g, '-').replace(/^[._-]+/, '') || 'ml-platform') });
  const clashes = Object.keys(files).filter((f) => fs.existsSync(path.join(target, f)));
  if (clashes.length) {
    throw new Error(`${target} already has ${clashes.join(', ')}: init into an empty folder, or move them away first.`);
  }
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.writeFileSync(path.join(target, file), content);
  }
  return Object.keys(files);
}

/** Scaffold's cdk8s.yaml: the app writes dist/ itself; the CLI's `output` (which it deletes first) is a scratch folder. */
export const CDK8S_YAML = `# \`npx cdk8s synth\` runs \`cdk8s-stateful-ml synth\` (called by its path: a nested npx costs seconds), which
# renders every profile of main.ts into dist/<profile>/ itself: validated, gated, upgrade-guarded, then swapped in
# whole. The cdk8s CLI deletes its \`output\` folder before running the app, so \`output\` is a scratch folder (read
# by \`cdk8s synth --stdout\`), never dist/.
language: typescript
app: node node_modules/cdk8s-stateful-ml/bin/cdk8s-stateful-ml.js synth
output: .cdk8s.out
`;

const TSCONFIG = `${JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    module: 'commonjs',
    lib: ['ES2022'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    isolatedModules: true,
    noEmit: true,
    types: ['node', 'jest'],
  },
  include: ['*.ts', 'test/**/*.ts'],
}, null, 2)}\n`;

const JEST_CONFIG = `/** Jest: TypeScript through ts-jest (type-checking is \`tsc\` in \`npm test\`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\\\.ts$': 'ts-jest' },
};
`;

const GITIGNORE = `node_modules/
.cdk8s.out/
*.tgz
# dist/ is committed: Argo CD syncs it and the upgrade guard compares with it.
`;

function mainTs(profiles: readonly string[], gitops: string): string {
  return `import { Profile, definePlatform } from 'cdk8s-stateful-ml';
import { buildPlatform } from './platform';

/**
 * What \`npx cdk8s synth\` renders: one dist/<profile>/ folder per profile. Override a profile's defaults with its
 * props, e.g. Profile.gke({ kubeVersion: '1.31' }).
 */
export default definePlatform({
  profiles: [${profiles.map((p) => PROFILE_EXPRESSIONS[p]).join(', ')}],
  build: buildPlatform,${gitops}});
`;
}

/** Scaffold's platform.ts: one chart, a namespace, the storage tiers and a PostgreSQL database. */
export const PLATFORM_TS = `import { App, Chart } from 'cdk8s';
import { Credentials, DatabaseEngine, Profile, StatefulDatabase, StorageClassPack, WorkloadNamespace } from 'cdk8s-stateful-ml';

/**
 * Your platform, built once per profile (the profile is already attached to \`app\`). Add charts and constructs
 * here; per-cluster values (file system ids, networks, node labels) come in through \`profile\`.
 */
export function buildPlatform(app: App, profile: Profile): void {
  const chart = new Chart(app, 'platform');
  new WorkloadNamespace(chart, 'ml-db', { name: 'ml-db' });
  const pack = new StorageClassPack(chart, 'storage', { profile });

  new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'),
    replicas: 2,
    namespace: 'ml-db',
    storage: { tier: pack.fast, size: '20Gi' },
    credentials: Credentials.existingSecret('postgres-credentials'),
  });
}
`;

/** Scaffold's snapshot test: exactly the files synth writes for each profile, after the gates. */
export const TEST_TS = `import { snapshotFiles } from 'cdk8s-stateful-ml';
import platform from '../main';

// Each file synth writes into dist/<profile>/ (same render, sync waves and reports, after the gates): a gate
// failure fails the test, and the snapshot is what Argo CD deploys.
describe.each(platform.profiles.map((p) => p.name))('dist/%s', (profile) => {
  test('is what synth writes', () => {
    for (const [file, content] of Object.entries(snapshotFiles(platform, profile))) {
      expect(content).toMatchSnapshot(file);
    }
  });
});
`;

function readme(name: string, profiles: readonly string[], argo: boolean): string {
  return `# ${name}

Kubernetes manifests for our ML platform, written with [cdk8s-stateful-ml](https://www.npmjs.com/package/cdk8s-stateful-ml).

\`\`\`sh
npm install && npx cdk8s synth   # renders ${profiles.map((p) => `dist/${p}/`).join(', ')}${argo ? ' and dist/argocd/' : ''}
npm test                         # type-checks, then the snapshot test of exactly what synth writes
\`\`\`

- Edit \`platform.ts\` (what to deploy) and \`main.ts\` (for which clusters), run \`npx cdk8s synth\`, commit \`dist/\`
  with the change and review the YAML diff in the pull request. Update snapshots with \`npx jest -u\` and commit
  \`test/__snapshots__/\` too: under \`CI=true\` jest never writes a snapshot, so a missing one fails the build.
- A failed synth (a throw, a failed gate, a change a live cluster refuses) leaves \`dist/\` exactly as it was.
- The upgrade guard compares with \`dist/\` at \`HEAD\`; in CI compare with the target branch:
  \`CDK8S_UPGRADE_GUARD_REF=origin/main npx cdk8s synth\` (or \`npm run check-upgrade -- --upgrade-ref origin/main\`).
- Secrets to create before syncing: \`dist/<profile>/SECRETS.md\` (and \`secrets.json\`).
- What each cluster must provide: \`dist/<profile>/CAPACITY.md\`.
`;
}
