// TypeScript loader of the synth path (apps/run.js, bench/): transpile-only with esbuild (type-checking
// happens in `npm test` and `npm run build`), with a content-addressed cache of the output, so a
// re-run loads JavaScript without starting esbuild at all. Transpiling the ~90 files of the library
// costs ~250 ms on 2 cores, more than rendering all four profiles; a cache hit costs a hash and a read.
// The cache key covers the source, the file name, the esbuild version and the options, so a stale
// entry can never be used; TS_TRANSPILE_CACHE=off disables it.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };
const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'cdk8s-stateful-ml-ts');

/** Files transpiled and cache hits, and the time spent transpiling (for the bench). */
const stats = { files: 0, transpiled: 0, transpileMs: 0 };

let esbuild;
let salt;
function cacheSalt() {
  // The esbuild version is read from its package.json, so a hit never loads esbuild itself.
  salt ??= `${require('esbuild/package.json').version}\0${JSON.stringify(OPTIONS)}\0`;
  return salt;
}

function transpile(source, filename) {
  const started = process.hrtime.bigint();
  esbuild ??= require('esbuild');
  const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
  stats.transpiled += 1;
  stats.transpileMs += Number(process.hrtime.bigint() - started) / 1e6;
  return code;
}

function cached(source, filename) {
  const key = crypto.createHash('sha256').update(cacheSalt()).update(filename).update('\0').update(source).digest('hex');
  const file = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // miss
  }
  const code = transpile(source, filename);
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Write then rename: a concurrent run never reads a half-written entry.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout still synthesizes, only without the cache.
  }
  return code;
}

/**
 * Makes `require()` load `.ts` files. With DEBUG set (when synth prints stack traces), stack traces
 * point at the TypeScript sources; otherwise the inline maps are not parsed, which saves ~40 ms.
 */
function register() {
  const useCache = !/^(off|0|false|no)$/i.test(process.env.TS_TRANSPILE_CACHE ?? '');
  require.extensions['.ts'] = function compileTypeScript(module, filename) {
    const source = fs.readFileSync(filename, 'utf8');
    stats.files += 1;
    module._compile(useCache ? cached(source, filename) : transpile(source, filename), filename);
  };
  if (process.env.DEBUG) process.setSourceMapsEnabled(true);
  // Cache V8 bytecode of every module (cdk8s-plus-27 and the precompiled schema validators are
  // megabytes of JavaScript): Node ≥ 22.1 does it itself, on Node 20 apps/code-cache.js does.
  const { enableCompileCache } = require('module');
  const codeCacheDir = path.join(CACHE_DIR, '..', 'cdk8s-stateful-ml-v8');
  if (useCache && typeof enableCompileCache === 'function') enableCompileCache(codeCacheDir);
  else if (useCache) require('./code-cache').enableCodeCache(codeCacheDir);
}

module.exports = { register, stats, CACHE_DIR };
