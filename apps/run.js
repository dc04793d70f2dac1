#!/usr/bin/env node
// Synth entry point (cdk8s.yaml `app`, `npm run synth`). Type-checking happens in `npm test`
// and `npm run build`; here TypeScript is only transpiled, file by file, with esbuild, and the
// output is cached (apps/ts-loader.js), which keeps a full render well under a second (ts-node
// with type-checking costs ~1 s on its own). DEBUG=1 maps stack traces to the TypeScript sources.
'use strict';
require('./ts-loader').register();
try {
  const { main } = require('./main.ts');
  process.exitCode = main(process.argv.slice(2), process.env);
} catch (error) {
  // Anything thrown outside synth's own handling (loading the app) is still one line, unless DEBUG asks for the stack.
  process.stderr.write(`synth failed, nothing written: ${process.env.DEBUG ? error.stack : (error && error.message) || String(error)}\n`);
  process.exitCode = 1;
}
