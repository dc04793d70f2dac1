/**
 * Lets `require()` load your `.ts` files when `cdk8s-stateful-ml synth` runs `main.ts`: each file is transpiled
 * (no type-checking; `npm test` and `tsc` do that) with the TypeScript compiler your repository pins, and the
 * output is cached under `node_modules/.cache/`, keyed by compiler version, file name and source, so a stale
 * entry is never used and a re-run does not load the compiler at all.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

interface TypeScriptApi {
  readonly version: string;
  transpileModule(source: string, options: object): { outputText: string };
  readonly ModuleKind: Record<string, number>;
  readonly ScriptTarget: Record<string, number>;
}

/** Registers the `.ts` loader for files under `root`, resolving `typescript` from `root`. */
export function registerTypeScript(root: string): void {
  const requireExtensions = require.extensions as Record<string, (module: any, filename: string) => void> | undefined;
  // ts-node, tsx or the reference app's loader already load TypeScript; jest has no require.extensions and transforms itself.
  if (!requireExtensions || requireExtensions['.ts']) return;
  const cacheDir = path.join(root, 'node_modules', '.cache', 'cdk8s-stateful-ml-ts');
  let ts: TypeScriptApi | undefined;
  let versionSalt: string | undefined;
  const compiler = (): TypeScriptApi => {
    if (!ts) {
      let resolved: string;
      try {
        resolved = require.resolve('typescript', { paths: [root] });
      } catch {
        throw new Error(`cannot load main.ts: 'typescript' is not installed in ${root}: run npm install (the scaffold pins typescript ~5.9).`);
      }
      ts = require(resolved) as TypeScriptApi;
    }
    return ts;
  };
  const salt = (): string => {
    if (versionSalt === undefined) {
      try {
        versionSalt = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json', { paths: [root] }), 'utf8')).version as string;
      } catch {
        versionSalt = compiler().version;
      }
    }
    return versionSalt;
  };
  const transpile = (source: string, filename: string): string => {
    const api = compiler();
    return api.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: api.ModuleKind.CommonJS, target: api.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true },
    }).outputText;
  };
  requireExtensions['.ts'] = function loadTypeScript(module: any, filename: string): void {
    const source = fs.readFileSync(filename, 'utf8');
    const key = crypto.createHash('sha256').update(`${salt()}\0${filename}\0${source}`).digest('hex');
    const cached = path.join(cacheDir, `${key}.js`);
    let code: string | undefined;
    try {
      code = fs.readFileSync(cached, 'utf8');
    } catch {
      code = transpile(source, filename);
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        // Write then rename: a concurrent run never reads a half-written entry.
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, cached);
      } catch {
        // A read-only checkout still synthesizes, only without the cache.
      }
    }
    module._compile(code, filename);
  };
}
