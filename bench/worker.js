// One benchmark measurement, run by bench/run.js in a fresh process (so peak RSS is its own).
// Usage: node --expose-gc bench/worker.js <mode> [--n N] [--dump|--objects file] [--profile name]
//   construct  N databases built with the library's constructs: build, validations, toJson, YAML files
//              (the library's writer), gates; --dump FILE writes the render for the next modes
//   l1         the same objects (--objects FILE) built as plain cdk8s L1 objects, written with cdk8s
//              Yaml.stringify: the floor
//   gates      the gates alone on those objects (--objects FILE)
//   emitters   the YAML writers (ours, js-yaml, cdk8s Yaml.stringify, JSON.stringify) on those objects
//   verify     construct render == L1 render (same field content), gates pass
//   app        the reference app (apps/), all profiles, in memory, phase by phase
// Prints one JSON line on stdout.
'use strict';
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const loadStart = process.hrtime.bigint();
const hook = require('./ts-hook');

const args = process.argv.slice(2);
const mode = args[0];
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
};
const n = Number(opt('n', '0'));
const profileName = opt('profile', 'gke');
const warmup = opt('warmup', 'yes') !== 'no';

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
/** [value, wall ms, CPU ms of this process (user + system: on a shared machine, the work done, without the wait for a CPU)] */
function timed(fn) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return [value, ms(start), (used.user + used.system) / 1000];
}
function gc() {
  if (global.gc) { global.gc(); global.gc(); }
}

function lib() { return require('../lib'); }
function profileNamed(name) {
  const all = require('../apps/profiles.ts').referenceProfiles();
  const profile = all.find((p) => p.name === name);
  if (!profile) throw new Error(`bench: unknown profile '${name}' (have ${all.map((p) => p.name).join(', ')})`);
  return profile;
}
function names(count, prefix) {
  const { databaseName } = require('./fixture.ts');
  return Array.from({ length: count }, (_, i) => (prefix ? `${prefix}${i}` : databaseName(i)));
}

/** Same loop as lib/gitops/render.ts validateConstructs (inlined so the L1 process loads no library code). */
function validateConstructs(root) {
  const errors = [];
  for (const construct of root.node.findAll()) {
    for (const message of construct.node.validate()) errors.push(`[${construct.node.path}] ${message}`);
  }
  return errors;
}

/**
 * How a chart's objects become a file (returns its bytes): the library's path (writeManifestFile: the YAML
 * emitter, object by object, as synth writes dist/) or a hand-written cdk8s app's (cdk8s `Yaml.stringify`, then
 * the whole text written, as `app.synth()` does): the floor.
 */
const writers = {
  lib: () => (file, objects) => { require('../lib/gitops').writeManifestFile(file, objects); return require('fs').statSync(file).size; },
  cdk8s: () => {
    const { Yaml } = require('cdk8s');
    return (file, objects) => { const text = Yaml.stringify(...objects); require('fs').writeFileSync(file, text); return Buffer.byteLength(text); };
  },
};
let outDir;
/** A scratch folder for the files written (removed at exit). */
function scratch() {
  if (!outDir) {
    const fs = require('fs');
    outDir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'cdk8s-bench-out-'));
    process.on('exit', () => fs.rmSync(outDir, { recursive: true, force: true }));
  }
  return outDir;
}

/** What renderProfile and the write do, before the gates: validations, toJson per chart, a YAML file per chart. */
function render(app, writer = 'lib') {
  const writeFile = writers[writer]();
  const dir = scratch();
  const phases = {};
  let errors;
  [errors, phases.validateMs, phases.validateCpuMs] = timed(() => validateConstructs(app));
  if (errors.length) throw new Error(`validation failed:\n  ${errors.join('\n  ')}`);
  // `app.charts` sorts the whole construct tree each time it is read: once, as cdk8s's own synth does.
  const charts = app.charts;
  let perChart;
  [perChart, phases.toJsonMs, phases.toJsonCpuMs] = timed(() => charts.map((chart) => chart.toJson()));
  let bytes = 0;
  [, phases.yamlMs, phases.yamlCpuMs] = timed(() => perChart.forEach((m, i) => { if (m.length) bytes += writeFile(path.join(dir, `${charts[i].node.id}.k8s.yaml`), m); }));
  return { objects: perChart.flat(), phases, bytes };
}

function newApp() {
  const { App } = require('cdk8s');
  return new App({ outdir: path.join(ROOT, '.cdk8s.out') });
}

function buildConstructApp(profile, dbNames) {
  const { buildBenchApp } = require('./fixture.ts');
  const app = newApp();
  buildBenchApp(app, profile, dbNames);
  return app;
}

/** The gates; a failing gate is reported (gateErrors, firstGateError), not thrown: the cost is measured either way. */
function runGates(objects, profile) {
  return lib().runGates(objects, { kubeVersion: profile.kubeVersion.toString() });
}
const gateSummary = (report) => ({ gateErrors: report.errors.length, firstGateError: report.errors[0] && `${report.errors[0].rule} ${report.errors[0].object}: ${report.errors[0].message}` });

/** What a render is, for the L1 and gates processes: every chart's objects, in order. */
function chartsOf(app) {
  return app.charts.map((chart) => ({ id: chart.node.id, objects: chart.toJson() }));
}
function readRender() {
  const fs = require('fs');
  return JSON.parse(fs.readFileSync(path.resolve(opt('objects')), 'utf8'));
}

// ---- construct ------------------------------------------------------------------------------
function construct() {
  const profile = profileNamed(profileName);
  if (warmup) {
    const w = buildConstructApp(profile, names(Math.min(n, 20), 'warm-'));
    runGates(render(w).objects, profile);
  }
  gc();
  const [app, buildMs, buildCpuMs] = timed(() => buildConstructApp(profile, names(n)));
  const { objects, phases, bytes } = render(app);
  const [report, gatesMs, gatesCpuMs] = timed(() => runGates(objects, profile));
  // Peak RSS of the measurement, before the dump below allocates its JSON text.
  const maxRssKiB = process.resourceUsage().maxRSS;
  const dump = opt('dump');
  if (dump) {
    const { SUBJECT } = require('./fixture.ts');
    require('fs').writeFileSync(dump, JSON.stringify({ subject: SUBJECT, profile: profile.name, kubeVersion: profile.kubeVersion.toString(), charts: chartsOf(app) }));
  }
  return { n, objects: objects.length, bytes, buildMs, buildCpuMs, ...phases, gatesMs, gatesCpuMs, warnings: report.warnings.length, ...gateSummary(report), maxRssKiB };
}

// ---- l1 -------------------------------------------------------------------------------------
/** Plain-L1 app holding `charts` (props already converted), built chart by chart with the same ids. */
function buildL1App(charts) {
  const { instantiate } = require('./l1');
  const { Chart } = require('cdk8s');
  const app = newApp();
  for (const { id, props } of charts) {
    const chart = new Chart(app, id);
    props.forEach((p, i) => instantiate(chart, `o${i}`, p));
  }
  return app;
}

function l1() {
  const rendered = readRender();
  const { createConverter } = require('./l1');
  const toProps = createConverter();
  // Props are converted outside the timed build: a hand-written app allocates them as literals.
  const prepare = (charts) => charts.map(({ id, objects }) => ({ id, props: objects.map(toProps) }));
  if (warmup) render(buildL1App(prepare(rendered.charts.map(({ id, objects }) => ({ id, objects: objects.slice(0, 100) })))), 'cdk8s');
  const [charts, prepareMs] = timed(() => prepare(rendered.charts));
  gc();
  const [app, buildMs, buildCpuMs] = timed(() => buildL1App(charts));
  const { objects, phases, bytes } = render(app, 'cdk8s');
  return { n, objects: objects.length, bytes, prepareMs, buildMs, buildCpuMs, ...phases };
}

// ---- gates ----------------------------------------------------------------------------------
function gates() {
  const rendered = readRender();
  const profile = { kubeVersion: { toString: () => rendered.kubeVersion } };
  const objects = rendered.charts.flatMap((c) => c.objects);
  gc();
  const [report, coldMs] = timed(() => runGates(objects, profile));
  const warm = [];
  for (let i = 0; i < 3; i++) warm.push(timed(() => runGates(objects, profile))[1]);
  warm.sort((a, b) => a - b);
  return { n, objects: objects.length, coldMs, gatesMs: warm[1], ...gateSummary(report) };
}

// ---- emitters: the YAML writers side by side on the same objects -------------------------------
function emitters() {
  const rendered = readRender();
  const objects = rendered.charts.flatMap((c) => c.objects);
  const { Yaml } = require('cdk8s');
  const jsYaml = require('js-yaml');
  const { toYaml } = require('../lib/gitops');
  // js-yaml with the options that keep its output Kubernetes-safe: no anchors, no folding, double quotes.
  const jsYamlOptions = { noRefs: true, lineWidth: -1, quotingType: '"' };
  const candidates = {
    toYaml: () => toYaml(...objects),
    jsYaml: () => objects.map((o) => jsYaml.dump(o, jsYamlOptions)).join('---\n'),
    cdk8sYaml: () => Yaml.stringify(...objects),
    json: () => JSON.stringify(objects),
  };
  const out = { n, objects: objects.length };
  for (const [name, fn] of Object.entries(candidates)) {
    fn();
    const times = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      gc();
      const [text, t] = timed(fn);
      times.push(t);
      bytes = Buffer.byteLength(text);
    }
    times.sort((a, b) => a - b);
    out[`${name}Ms`] = times[1];
    out[`${name}Bytes`] = bytes;
  }
  return out;
}

// ---- verify ---------------------------------------------------------------------------------
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  }
  return value;
}
function verify() {
  const profile = profileNamed(profileName);
  const count = n || 3;
  const app = buildConstructApp(profile, names(count));
  const constructs = render(app).objects;
  const report = runGates(constructs, profile);
  const charts = JSON.parse(JSON.stringify(chartsOf(app)));
  const { createConverter } = require('./l1');
  const toProps = createConverter();
  const plain = render(buildL1App(charts.map(({ id, objects }) => ({ id, props: objects.map(toProps) })))).objects;
  const problems = [];
  if (constructs.length !== plain.length) problems.push(`${constructs.length} vs ${plain.length} objects`);
  constructs.forEach((x, i) => {
    const [a, b] = [JSON.stringify(canonical(x)), JSON.stringify(canonical(plain[i]))];
    if (a !== b) problems.push(`object ${i} (${x.kind} ${x.metadata && x.metadata.name}) differs:\n  constructs: ${a.slice(0, 800)}\n  plain L1:   ${b.slice(0, 800)}`);
  });
  const { SUBJECT, databaseName } = require('./fixture.ts');
  const dbChart = app.node.findChild('databases');
  const firstDb = dbChart.node.findChild(databaseName(0));
  const { ApiObject } = require('cdk8s');
  const perDb = firstDb.node.findAll().filter((c) => c instanceof ApiObject).map((c) => c.kind);
  return {
    n: count, objects: constructs.length, subject: SUBJECT, kubeVersion: profile.kubeVersion.toString(),
    perDb, shared: constructs.length - count * perDb.length, warnings: report.warnings.length, ...gateSummary(report), problems,
  };
}

// ---- app: the reference app in memory, phase by phase ----------------------------------------
function appPhases() {
  const [mainModule, requireMs] = timed(() => require('../apps/main.ts'));
  const { buildPlatform } = require('../apps/platform.ts');
  const profiles = require('../apps/profiles.ts').referenceProfiles();
  const out = { loadMs: ms(loadStart), requireMs, transpileMs: hook.stats.transpileMs, tsFiles: hook.stats.files, tsTranspiled: hook.stats.transpiled, profiles: [], failures: [] };
  const total = { buildMs: 0, validateMs: 0, toJsonMs: 0, yamlMs: 0, validatorLoadMs: 0, gatesMs: 0, objects: 0 };
  for (const profile of profiles) {
    const [app, buildMs] = timed(() => { const a = newApp(); buildPlatform(a, profile); return a; });
    const { objects, phases } = render(app);
    // Loading the precompiled validators of the profile's version (and of the built-in CRDs) is a
    // one-time cost per process and version, timed apart from running the gates.
    const [, validatorLoadMs] = timed(() => lib().SchemaValidator.forVersion(profile.kubeVersion.toString()).knows('argoproj.io/v1alpha1', 'Application'));
    // A failing gate is reported, not thrown: the bench measures the app as it is.
    const [report, gatesMs] = timed(() => runGates(objects, profile));
    if (!report.ok) out.failures.push(`${profile.name}: ${report.errors.length} gate error(s), e.g. ${report.errors[0].message}`);
    const row = { profile: profile.name, objects: objects.length, buildMs, ...phases, validatorLoadMs, gatesMs };
    out.profiles.push(row);
    for (const k of Object.keys(total)) total[k] += row[k];
  }
  // Once more, warm (validators loaded, code compiled): the per-render cost of a long-lived process.
  const warmTotal = { buildMs: 0, validateMs: 0, toJsonMs: 0, yamlMs: 0, gatesMs: 0, objects: 0 };
  for (const profile of profiles) {
    const [app, buildMs] = timed(() => { const a = newApp(); buildPlatform(a, profile); return a; });
    const { objects, phases } = render(app);
    const [, gatesMs] = timed(() => runGates(objects, profile));
    const row = { objects: objects.length, buildMs, ...phases, gatesMs };
    for (const k of Object.keys(warmTotal)) warmTotal[k] += row[k];
  }
  out.warmTotal = warmTotal;
  // The real pipeline once more (renderProfile, as npm run synth runs it), now that everything is loaded.
  const [, renderAllMs] = timed(() => profiles.map((p) => {
    try {
      return mainModule.renderWith(p, (a, pr) => buildPlatform(a, pr));
    } catch (e) {
      return e; // already reported above as a gate failure
    }
  }));
  return { ...out, total, renderAllWarmMs: renderAllMs };
}

const modes = { construct, l1, gates, emitters, verify, app: appPhases };
if (!modes[mode]) {
  process.stderr.write(`bench/worker.js: unknown mode '${mode}' (${Object.keys(modes).join(', ')})\n`);
  process.exit(2);
}
const result = modes[mode]();
const usage = process.resourceUsage();
process.stdout.write(`${JSON.stringify({ mode, profile: profileName, ...result, maxRssKiB: result.maxRssKiB ?? usage.maxRSS, cpuUserMs: usage.userCPUTime / 1000, cpuSystemMs: usage.systemCPUTime / 1000 })}\n`);
