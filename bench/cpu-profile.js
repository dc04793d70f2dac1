// Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function and per area
// (package or library folder), so RESULTS.md can say where the time goes.
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

/** Which part of the system a frame belongs to. */
function areaOf(url, functionName) {
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(program)' || functionName === '(idle)') return 'V8/native (compile, startup)';
    return 'native';
  }
  if (url.startsWith('node:')) return 'node internals (module loader, fs)';
  const file = url.replace(/^file:\/\//, '');
  const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  if (pkg) return pkg[1];
  const rel = path.relative(ROOT, file);
  const m = /^(lib\/[^/]+|lib|apps|bench|test)\//.exec(rel);
  return m ? m[1] : rel;
}

function shortUrl(url) {
  if (!url) return '';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  return nm >= 0 ? file.slice(nm + 'node_modules/'.length) : path.relative(ROOT, file) || file;
}

/** { totalMs, top: [{ name, where, selfMs, pct }], areas: [{ area, selfMs, pct }] } */
function summarize(file, topN = 15) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  let totalMs = 0;
  const frames = new Map();
  const areas = new Map();
  for (const [id, t] of self) {
    const { callFrame: cf } = byId.get(id);
    totalMs += t;
    if (cf.functionName === '(idle)') continue;
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'}\u0000${where}`;
    frames.set(key, (frames.get(key) ?? 0) + t);
    const area = areaOf(cf.url, cf.functionName);
    areas.set(area, (areas.get(area) ?? 0) + t);
  }
  const pct = (t) => (100 * t) / totalMs;
  const top = [...frames].sort((a, b) => b[1] - a[1]).slice(0, topN)
    .map(([key, t]) => { const [name, where] = key.split('\u0000'); return { name, where, selfMs: t, pct: pct(t) }; });
  const areaRows = [...areas].sort((a, b) => b[1] - a[1]).map(([area, t]) => ({ area, selfMs: t, pct: pct(t) }));
  return { totalMs, top, areas: areaRows };
}

module.exports = { summarize };
