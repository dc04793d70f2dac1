/**
 * The package's command, `cdk8s-stateful-ml` (package.json `bin`):
 *   init [dir] [--profiles kind,gke,eks,aks] [--repo-url URL] [--name NAME] [--library SPEC]
 *   synth [--profile a,b] [--upgrade-ref REF] [--no-upgrade-guard] [--outdir DIR] [--app main.ts]
 *   check-upgrade [--upgrade-ref REF] [--app main.ts]
 *   secrets [--profile a,b] [--json] [--app main.ts]
 * Heavy modules load lazily: `init` runs on Node.js alone, before `npm install`.
 */
import * as fs from 'fs';
import * as path from 'path';

const USAGE = `Usage: cdk8s-stateful-ml <command>
  init [dir] [--profiles kind,gke,eks,aks] [--repo-url URL] [--name NAME] [--library SPEC]
      Write a new repository into dir (default .): package.json, cdk8s.yaml, main.ts, platform.ts, a jest
      snapshot test, .gitignore, README.md; --repo-url adds the Argo CD Applications for that repository.
  synth [--profile a,b] [--upgrade-ref REF] [--no-upgrade-guard] [--outdir DIR] [--app main.ts]
      Render main.ts into dist/<profile>/ (what \`npx cdk8s synth\` runs): validation, gates, sync waves,
      upgrade guard against REF (default HEAD, or CDK8S_UPGRADE_GUARD_REF), reports; dist/ is left as it
      was on any failure.
  check-upgrade [--upgrade-ref REF] [--app main.ts]
      Render, gate and run the upgrade guard; write nothing.
  secrets [--profile a,b] [--json] [--app main.ts]
      Print every Secret the render reads, with the kubectl line creating it.`;

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const value = argv[i].includes('=') ? argv[i].slice(name.length + 1) : argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value (see cdk8s-stateful-ml --help).`);
  return value;
}

/** Arguments that are not flags or flag values. */
function positional(argv: readonly string[], valued: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (valued.includes(argv[i])) i++;
    else if (!argv[i].startsWith('--')) out.push(argv[i]);
  }
  return out;
}

/** Loads the platform `main.ts` (relative to `root`) exports as default (or as `platform`). */
function loader(root: string, argv: readonly string[]): () => any {
  const file = path.resolve(root, flag(argv, '--app') ?? 'main.ts');
  return () => {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file) || file} not found in ${root}: run cdk8s-stateful-ml in the repository's folder (or pass --app FILE).`);
    require('./typescript-loader').registerTypeScript(root);
    const exported = require(file);
    const definition = exported?.default ?? exported?.platform;
    if (!definition) {
      throw new Error(`${path.relative(root, file)} exports no platform: end it with \`export default definePlatform({ profiles: [...], build })\`.`);
    }
    return definition;
  };
}

/** Runs the command; returns the exit code. */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): number {
  const [command, ...rest] = argv;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (env.DEBUG) process.setSourceMapsEnabled(true);
  try {
    switch (command) {
      case 'init': {
        const { scaffold } = require('./init') as typeof import('./init');
        const dir = positional(rest, ['--profiles', '--repo-url', '--name', '--library'])[0] ?? '.';
        const profiles = flag(rest, '--profiles')?.split(',').map((s) => s.trim()).filter(Boolean);
        const written = scaffold(path.resolve(cwd, dir), {
          profiles, repoUrl: flag(rest, '--repo-url'), name: flag(rest, '--name'), librarySpec: flag(rest, '--library'),
        });
        log(`wrote ${written.join(', ')} into ${path.resolve(cwd, dir)}\nnext: cd ${dir} && npm install && npx cdk8s synth && npm test`);
        return 0;
      }
      case 'synth':
      case 'check-upgrade': {
        const { runSynth } = require('./synth') as typeof import('./synth');
        return runSynth({ root: cwd, load: loader(cwd, rest), argv: command === 'check-upgrade' ? [...rest, '--check-upgrade'] : rest, env, log });
      }
      case 'secrets': {
        const { definePlatform, selectProfiles, renderWith } = require('./synth') as typeof import('./synth');
        const definition = definePlatform(loader(cwd, rest)());
        const out: Record<string, unknown> = {};
        for (const profile of selectProfiles(rest, env, definition.profiles)) {
          const { secrets } = renderWith(profile, definition.build);
          if (rest.includes('--json')) out[profile.name] = JSON.parse(secrets!.toJson()).secrets;
          else process.stdout.write(`${secrets!.toMarkdown(`${profile.name} (Kubernetes ${profile.kubeVersion})`)}\n`);
        }
        if (rest.includes('--json')) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return 0;
      }
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 1 : 0;
      default:
        log(`unknown command '${command}'.\n${USAGE}`);
        return 1;
    }
  } catch (error) {
    log(`cdk8s-stateful-ml ${command}: ${error instanceof Error ? (env.DEBUG ? error.stack : error.message) : String(error)}`);
    return 1;
  }
}
