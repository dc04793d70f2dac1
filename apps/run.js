#!/usr/bin/env node
// Synth entry point (cdk8s.yaml `app`, `npm run synth`): the package's own command, `cdk8s-stateful-ml synth
// --app apps/main.ts`, the same public entry a repository made by `cdk8s-stateful-ml init` runs (lib/cli/bin.ts).
// Only the TypeScript loading differs: this checkout has no build/, so the library's sources are transpiled file
// by file with esbuild and cached (apps/ts-loader.js), which keeps a full render well under a second.
// DEBUG=1 maps stack traces to the TypeScript sources.
'use strict';
const path = require('path');
require('./ts-loader').register();
try {
  const { run } = require('../lib/cli/bin.ts');
  process.exitCode = run(['synth', '--app', path.join(__dirname, 'main.ts'), ...process.argv.slice(2)], process.env, path.resolve(__dirname, '..'));
} catch (error) {
  // Anything thrown outside synth's own handling (loading the library) is still one line, unless DEBUG asks for the stack.
  process.stderr.write(`synth failed, nothing written: ${process.env.DEBUG ? error.stack : (error && error.message) || String(error)}\n`);
  process.exitCode = 1;
}
