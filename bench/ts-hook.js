// The synth path's TypeScript loader (same esbuild options as apps/run.js), plus a counter of the
// time spent transpiling, so the bench can split module loading into transpile and evaluation.
'use strict';
const fs = require('fs');
const { transformSync } = require('esbuild');

const stats = { files: 0, transpileMs: 0 };

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const started = process.hrtime.bigint();
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
  });
  stats.files += 1;
  stats.transpileMs += Number(process.hrtime.bigint() - started) / 1e6;
  module._compile(code, filename);
};
process.setSourceMapsEnabled(true);

module.exports = { stats };
