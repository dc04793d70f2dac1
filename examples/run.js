#!/usr/bin/env node
// Runs one example app: `node examples/run.js <example> [--outdir DIR]` (`npm run example -- <example>`), or
// `npx cdk8s synth` inside an example's folder (its cdk8s.yaml calls this file).
//
// An example imports the library by its package name, 'cdk8s-stateful-ml', exactly as your own app would
// after `npm install cdk8s-stateful-ml`. Here that name resolves to this checkout's lib/index.ts instead of
// node_modules, and TypeScript is transpiled on the fly by the reference app's esbuild loader
// (apps/ts-loader.js); `tsc` resolves the same name through the `paths` entry of tsconfig.json, and jest
// through `moduleNameMapper`. In your own project you need none of this: `cdk8s synth` with ts-node, or
// `npx tsx main.ts`, runs main.ts against the installed package.
'use strict';
const fs = require('fs');
const Module = require('module');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const PACKAGE = 'cdk8s-stateful-ml';
const ENTRY = path.join(ROOT, 'lib', 'index.ts');

/** Example folders: those with a main.ts. */
function examples() {
  return fs.readdirSync(__dirname, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(__dirname, entry.name, 'main.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** Makes `require('cdk8s-stateful-ml')` load this checkout's lib/ (TypeScript, through the esbuild loader). */
function aliasPackage() {
  require('../apps/ts-loader').register();
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveAliased(request, ...rest) {
    return resolveFilename.call(this, request === PACKAGE ? ENTRY : request, ...rest);
  };
}

/**
 * Renders `name` into `outdir` (default `examples/<name>/dist/`), one `<profile>/` folder with a
 * kustomization.yaml; with CDK8S_OUTDIR set (the cdk8s CLI), also writes what `cdk8s synth --stdout` prints.
 * Returns the exit code; nothing is written when a validation or a gate fails.
 */
function run(argv, env) {
  const name = argv.find((arg, i) => !arg.startsWith('--') && argv[i - 1] !== '--outdir');
  const known = examples();
  if (!name || !known.includes(name)) {
    process.stderr.write(`${name ? `Unknown example '${name}'. ` : ''}Usage: npm run example -- <${known.join('|')}> [--outdir DIR]\n`);
    return 2;
  }
  const outdirFlag = argv.indexOf('--outdir');
  const outdir = outdirFlag >= 0 && argv[outdirFlag + 1] ? path.resolve(argv[outdirFlag + 1]) : path.join(__dirname, name, 'dist');
  aliasPackage();
  const { writeForCli } = require(PACKAGE);
  let rendered;
  try {
    rendered = require(path.join(__dirname, name, 'main.ts')).synth(outdir);
  } catch (error) {
    const message = error instanceof Error ? (env.DEBUG ? error.stack : error.message) : String(error);
    process.stderr.write(`example ${name} failed, ${path.relative(process.cwd(), outdir) || outdir}/ left unchanged:\n${message}\n`);
    return 1;
  }
  if (env.CDK8S_OUTDIR) writeForCli(path.resolve(env.CDK8S_OUTDIR), [rendered]);
  const where = path.relative(process.cwd(), path.join(outdir, rendered.folder)) || '.';
  process.stderr.write(`${where}: ${rendered.objects.length} objects, Kubernetes ${rendered.profile.kubeVersion}, gates passed` +
    (rendered.gates.warnings.length ? ` with ${rendered.gates.warnings.length} warning(s)` : '') + '\n');
  return 0;
}

if (require.main === module) process.exitCode = run(process.argv.slice(2), process.env);

module.exports = { run, examples, aliasPackage };
