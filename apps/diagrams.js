#!/usr/bin/env node
// `npm run diagrams`: renders each dist/<profile>/topology.dot (written by `npm run synth`) to
// docs/topology/<profile>.svg with Graphviz's `dot`. The SVGs live outside dist/ on purpose: dist/
// must be byte-identical whether or not Graphviz is installed, since CI compares it.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(ROOT, 'docs', 'topology');

function main() {
  const probe = spawnSync('dot', ['-V'], { encoding: 'utf8' });
  if (probe.error) {
    process.stderr.write('diagrams: Graphviz `dot` is not installed (e.g. `apt-get install graphviz`); no SVG rendered.\n');
    return 0;
  }
  const profiles = fs.existsSync(DIST)
    ? fs.readdirSync(DIST).filter((d) => fs.existsSync(path.join(DIST, d, 'topology.dot'))).sort()
    : [];
  if (!profiles.length) {
    process.stderr.write('diagrams: no dist/<profile>/topology.dot found; run `npm run synth` first.\n');
    return 1;
  }
  fs.mkdirSync(OUT, { recursive: true });
  for (const profile of profiles) {
    const target = path.join(OUT, `${profile}.svg`);
    const run = spawnSync('dot', ['-Tsvg', path.join(DIST, profile, 'topology.dot'), '-o', target], { encoding: 'utf8' });
    if (run.status !== 0) {
      process.stderr.write(`diagrams: dot failed on dist/${profile}/topology.dot:\n${run.stderr}`);
      return 1;
    }
    process.stderr.write(`diagrams: ${path.relative(ROOT, target)}\n`);
  }
  return 0;
}

process.exitCode = main();
