#!/usr/bin/env node
// The package's command (package.json `bin`): init, synth, check-upgrade, secrets (lib/cli/bin.ts).
// Installed, it runs the compiled build/ (the package ships no .ts sources); in a checkout of the library, the
// TypeScript sources through the reference app's esbuild loader, so a stale build/ is never used.
'use strict';
const fs = require('fs');
const path = require('path');

const sources = path.join(__dirname, '..', 'lib', 'cli', 'bin.ts');
let cli;
if (fs.existsSync(sources)) {
  require('../apps/ts-loader').register();
  cli = require(sources);
} else {
  cli = require('../build/lib/cli/bin.js');
}
process.exitCode = cli.run(process.argv.slice(2));
