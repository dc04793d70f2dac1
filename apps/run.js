#!/usr/bin/env node
// Synth entry point (cdk8s.yaml `app`, `npm run synth`). Type-checking happens in `npm test`
// and `npm run build`; here TypeScript is only transpiled, file by file, with esbuild, which
// keeps a full render well under a second (ts-node with type-checking costs ~1 s on its own).
'use strict';
const fs = require('fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
  });
  module._compile(code, filename);
};

// Stack traces point at the TypeScript sources.
process.setSourceMapsEnabled(true);
const { main } = require('./main.ts');
process.exitCode = main(process.argv.slice(2), process.env);
