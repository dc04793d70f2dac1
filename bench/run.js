#!/usr/bin/env node
// `npm run bench`: measures synth speed and scaling and writes bench/RESULTS.md.
//   (a) the README's main command end to end from the shell (`npm run synth`, `node apps/run.js`)
//       and the reference app phase by phase in memory;
//   (b) N databases in one chart built with the library's constructs, N = 10, 100, 1000, 5000;
//   (c) the same objects built as plain cdk8s L1 objects (the floor);
//   (d) the gates alone on those renders.
//   (e) the YAML writers side by side on the same objects (ours, js-yaml, cdk8s Yaml.stringify, JSON);
//   (f) yardsticks run side by side with (a), round-robin so load changes hit all of them alike:
//       `node -e 0` and a default-template cdk8s app (one StatefulSet) run through ts-node (bench/default-app.js).
// Every measurement runs in a fresh process (peak RSS is its own); numbers are medians of several
// runs. CPU profiles of the reference app and of N = 1000 are summarized at the end.
//
// Options: --smoke (tiny sizes, one run, no default-template app, prints instead of writing RESULTS.md;
// no timing is asserted), --sizes 10,100, --runs K, --e2e-runs K, --ts-node-runs K, --profile gke,
// --out FILE, --no-cpu-prof, --no-default-app.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { summarize } = require('./cpu-profile');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const opt = (name, fallback) => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
};

const smoke = flag('smoke');
const sizes = opt('sizes', smoke ? '2,5' : '10,100,1000,5000').split(',').map(Number);
const profileName = opt('profile', 'gke');
const e2eRuns = Number(opt('e2e-runs', smoke ? '1' : '9'));
const fixedRuns = opt('runs');
const runsFor = (n) => Number(fixedRuns ?? (smoke ? 1 : n <= 100 ? 5 : 3));
const outFile = path.resolve(ROOT, opt('out', 'bench/RESULTS.md'));
/** The size the YAML writers are compared at. */
const emitterSize = sizes.includes(1000) ? 1000 : sizes[sizes.length - 1];
const cpuProf = !flag('no-cpu-prof');
const tsNodeRuns = Number(opt('ts-node-runs', '3'));
const withDefaultApp = !smoke && !flag('no-default-app');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-bench-'));
const started = Date.now();

const log = (line) => process.stderr.write(`bench: ${line}\n`);
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Median of every numeric field over runs. */
function medianRow(rows) {
  const out = { ...rows[0] };
  for (const k of Object.keys(rows[0])) {
    if (typeof rows[0][k] === 'number') out[k] = median(rows.map((r) => r[k]));
  }
  out.runs = rows.length;
  return out;
}

class HarnessError extends Error {}

/** Runs bench/worker.js in a fresh node process; returns its JSON line. */
function worker(mode, extra = [], nodeFlags = []) {
  const r = spawnSync(process.execPath, ['--expose-gc', ...nodeFlags, path.join(__dirname, 'worker.js'), mode, '--profile', profileName, ...extra], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  const line = (r.stdout || '').trim().split('\n').pop();
  if (r.status !== 0 || !line) {
    throw new HarnessError(`worker ${mode} ${extra.join(' ')} exited ${r.status ?? r.signal}:\n${(r.stderr || '').trim().split('\n').slice(0, 25).join('\n')}`);
  }
  return JSON.parse(line);
}

/** Wall time of a shell command (ms), its exit code, and the first lines of its stderr on failure. */
function timeCommand(command, argv, env = {}, cwd = ROOT) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, argv, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { wallMs, status: r.status, stderr: r.status === 0 ? '' : (r.stderr || r.error?.message || '').trim().split('\n').slice(0, 8).join('\n') };
}

function machine() {
  const cpus = os.cpus();
  let model = cpus[0]?.model?.trim() || 'unknown';
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const m = /^model name\s*:\s*(.+)$/m.exec(info);
    if (m) model = m[1].trim();
  } catch { /* not Linux */ }
  const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  const pkg = (name) => { try { return require(`${name}/package.json`).version; } catch { return '?'; } };
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : cpus.length,
    model,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    npm: (npm.stdout || '?').trim(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    packages: ['cdk8s', 'cdk8s-plus-27', 'constructs', 'yaml', 'esbuild', 'ajv'].map((p) => `${p} ${pkg(p)}`).join(', '),
    loadStart: os.loadavg()[0],
    commit: (spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout || '?').trim(),
    dirty: Boolean((spawnSync('git', ['status', '--porcelain', '--', 'lib', 'apps'], { cwd: ROOT, encoding: 'utf8' }).stdout || '').trim()),
  };
}

// ---- (a) end to end ----------------------------------------------------------------------------
function endToEnd(defaultApp) {
  const commands = [
    { key: 'node', label: '`node -e 0` (node startup alone)', cmd: process.execPath, argv: ['-e', '0'] },
    { key: 'run', label: '`node apps/run.js` (default: worker threads on idle CPUs when a profile renders slower than the code loads)', cmd: process.execPath, argv: ['apps/run.js'], rss: true },
    { key: 'run1', label: '`node apps/run.js`, one thread (`CDK8S_SYNTH_WORKERS=0`)', cmd: process.execPath, argv: ['apps/run.js'], env: { CDK8S_SYNTH_WORKERS: '0' }, rss: true },
    { key: 'runW', label: '`node apps/run.js`, one worker thread besides the main one (`CDK8S_SYNTH_WORKERS=1`)', cmd: process.execPath, argv: ['apps/run.js'], env: { CDK8S_SYNTH_WORKERS: '1' }, rss: true },
    { key: 'npm', label: '`npm run synth`', cmd: 'npm', argv: ['run', '--silent', 'synth'] },
    { key: 'cold', label: '`node apps/run.js`, transpile cache off (a fresh clone\'s first run)', cmd: process.execPath, argv: ['apps/run.js'], env: { TS_TRANSPILE_CACHE: 'off' }, rss: true },
  ];
  if (defaultApp && defaultApp.dir) {
    // The template's cdk8s.yaml says `app: npx ts-node main.ts`; ts-node directly drops npx's start-up.
    commands.push({ key: 'tplNpx', label: 'default-template app, one StatefulSet: `npx ts-node main.ts` (its cdk8s.yaml `app`)', cmd: 'npx', argv: ['ts-node', 'main.ts'], cwd: defaultApp.dir, runs: tsNodeRuns });
    commands.push({ key: 'tpl', label: 'default-template app, one StatefulSet: `ts-node main.ts` (without npx)', cmd: path.join(ROOT, 'node_modules', '.bin', 'ts-node'), argv: ['main.ts'], cwd: defaultApp.dir, runs: tsNodeRuns });
  }
  // With dist/ committed, synth also runs the upgrade guard against HEAD's dist/ (cheap when the render
  // is unchanged: no YAML is parsed). Against the first commit that has dist/, the changed folders are
  // parsed and compared: the cost of a synth after a change.
  const firstDist = (spawnSync('git', ['log', '--reverse', '--format=%H', '--', 'dist'], { cwd: ROOT, encoding: 'utf8' }).stdout || '').split('\n')[0].trim();
  if (firstDist) {
    commands.push({ label: `\`node apps/run.js\`, upgrade guard against ${firstDist.slice(0, 7)} (first committed dist/: changed folders parsed and compared)`, cmd: process.execPath, argv: ['apps/run.js'], env: { CDK8S_UPGRADE_GUARD_REF: firstDist }, exitOk: [0, 1] });
  }
  const rows = [];
  // Round-robin: run i of every command, then run i + 1, so a change of load hits every command alike.
  const runsOf = new Map(commands.map((c) => [c, []]));
  for (let i = 0; i < Math.max(...commands.map((c) => c.runs ?? e2eRuns)); i++) {
    for (const c of commands) if (i < (c.runs ?? e2eRuns)) runsOf.get(c).push(timeCommand(c.cmd, c.argv, c.env, c.cwd));
  }
  for (const c of commands) {
    const runs = runsOf.get(c);
    // exitOk: a guard that refuses a change exits 1 after doing all the work measured here.
    const failed = runs.find((r) => !(c.exitOk ?? [0]).includes(r.status));
    const row = { key: c.key, label: c.label + (runs.some((r) => r.status !== 0) && !failed ? ` (exit ${runs[0].status}: the guard refused)` : ''), wallMs: median(runs.map((r) => r.wallMs)), min: Math.min(...runs.map((r) => r.wallMs)), runs: runs.length, failed: failed ? `exit ${failed.status}: ${failed.stderr}` : undefined };
    if (c.rss && !failed) {
      const rssFile = path.join(work, 'rss');
      timeCommand(c.cmd, ['--require', path.join(__dirname, 'rss-probe.js'), ...c.argv], { ...c.env, BENCH_RSS_OUT: rssFile }, c.cwd);
      row.maxRssKiB = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : undefined;
    }
    if (failed) log(`${c.label} failed (${row.failed.split('\n')[0]}); reported, not fatal`);
    rows.push(row);
  }
  return rows;
}

function appBreakdown() {
  const rows = [];
  for (let i = 0; i < (smoke ? 1 : 3); i++) {
    try {
      rows.push(worker('app'));
    } catch (e) {
      log(`reference app in memory failed; reported, not fatal:\n${e.message}`);
      return { failed: e.message };
    }
  }
  const pick = (f) => median(rows.map(f));
  const first = rows[0];
  return {
    loadMs: pick((r) => r.loadMs), requireMs: pick((r) => r.requireMs), transpileMs: pick((r) => r.transpileMs), tsFiles: first.tsFiles,
    profiles: first.profiles.map((p, i) => ({ ...medianRow(rows.map((r) => r.profiles[i])) })),
    total: medianRow(rows.map((r) => r.total)),
    warmTotal: medianRow(rows.map((r) => r.warmTotal)),
    renderAllWarmMs: pick((r) => r.renderAllWarmMs),
    maxRssKiB: pick((r) => r.maxRssKiB),
    failures: first.failures,
  };
}

// ---- (b), (c), (d) scaling ---------------------------------------------------------------------
function scaling() {
  const rows = [];
  const objectsFile = path.join(work, 'render.json');
  for (const n of sizes) {
    const runs = runsFor(n);
    const measure = (mode, first = []) => {
      const rs = [];
      for (let i = 0; i < runs; i++) rs.push(worker(mode, ['--n', String(n), ...(mode === 'construct' && i > 0 ? [] : first)]));
      return medianRow(rs);
    };
    log(`N = ${n}: ${runs} run(s) each of constructs, plain L1, gates`);
    // The first constructs run dumps its render; the plain-L1 and gates runs take exactly those objects.
    const c = measure('construct', ['--dump', objectsFile]);
    const l = measure('l1', ['--objects', objectsFile]);
    const g = measure('gates', ['--objects', objectsFile]);
    const e = n === emitterSize ? worker('emitters', ['--n', String(n), '--objects', objectsFile]) : undefined;
    fs.rmSync(objectsFile, { force: true });
    // The YAML differs only in quoting (ours quotes more, see lib/gitops/yaml-emitter.ts): a few bytes.
    if (c.objects !== l.objects || c.objects !== g.objects || Math.abs(c.bytes - l.bytes) > c.bytes * 0.01) {
      throw new HarnessError(`N = ${n}: constructs rendered ${c.objects} objects (${c.bytes} bytes of YAML), L1 ${l.objects} (${l.bytes}), gates saw ${g.objects}`);
    }
    const synth = (r) => r.buildMs + r.validateMs + r.toJsonMs + r.yamlMs;
    const synthCpu = (r) => r.buildCpuMs + r.validateCpuMs + r.toJsonCpuMs + r.yamlCpuMs;
    rows.push({
      n, construct: c, l1: l, gates: g, emitters: e, constructSynthMs: synth(c), l1SynthMs: synth(l), constructFullMs: synth(c) + c.gatesMs,
      constructFullCpuMs: synthCpu(c) + c.gatesCpuMs, l1SynthCpuMs: synthCpu(l),
    });
  }
  return rows;
}

// ---- CPU profiles ------------------------------------------------------------------------------
function profiles() {
  const dir = path.join(work, 'prof');
  const out = [];
  const take = (label, run) => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    try {
      run(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200']);
    } catch (e) {
      log(`profile of ${label} failed; reported, not fatal:\n${e.message}`);
      return;
    }
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file) out.push({ label, ...summarize(path.join(dir, file)) });
  };
  take('`node apps/run.js` (all four profiles, end to end)', (flags) => {
    const r = timeCommand(process.execPath, [...flags, 'apps/run.js']);
    if (r.status !== 0) throw new Error(r.stderr);
  });
  const n = smoke ? sizes[0] : 1000;
  take(`${n} databases built with the constructs (whole worker process: warm-up, build, validate, toJson, YAML, gates)`,
    (flags) => worker('construct', ['--n', String(n)], flags));
  return out;
}

// ---- report ------------------------------------------------------------------------------------
const f0 = (x) => (x === undefined ? 'n/a' : x.toFixed(0));
const f1 = (x) => (x === undefined ? 'n/a' : x.toFixed(1));
const f2 = (x) => (x === undefined ? 'n/a' : x.toFixed(2));
const mib = (kib) => (kib === undefined ? 'n/a' : (kib / 1024).toFixed(0));
const us = (msTotal, count) => (msTotal === undefined || !count ? 'n/a' : ((1000 * msTotal) / count).toFixed(0));
const verdict = (ok) => (ok === undefined ? 'n/a' : ok ? 'met' : '**missed**');

function report({ mach, verification, e2e, app, scale, profs, defaultApp }) {
  const L = [];
  const tpl = verification;
  const perDbKinds = tpl.perDb.join(', ');
  L.push('# Synth benchmark', '');
  L.push(`Written by \`npm run bench\` (bench/run.js) — do not edit by hand. Re-run with \`npm run bench\` (about ${Math.max(1, Math.round((Date.now() - started) / 60000))} min).`, '');
  L.push('## Machine', '');
  L.push(`- ${mach.nproc} CPUs (nproc), ${mach.model}, ${mach.memoryGiB.toFixed(1)} GiB RAM, ${mach.os}`);
  L.push(`- node ${mach.node}, npm ${mach.npm}; ${mach.packages}`);
  L.push(`- commit ${mach.commit}${mach.dirty ? ' plus uncommitted changes in lib/ or apps/ (work in progress of other engineers)' : ''}`);
  L.push(`- 1-minute load average ${f1(mach.loadStart)} at the start and ${f1(os.loadavg()[0])} at the end of the run${Math.max(mach.loadStart, os.loadavg()[0]) > mach.nproc ? ` (above ${mach.nproc}: other processes shared the CPUs, so timings are inflated)` : ''}`);
  L.push(`- sizes ${sizes.join(', ')}; medians of ${[...new Set(sizes.map(runsFor))].join('/')} fresh processes per size and mode; end-to-end medians of ${e2eRuns} runs`, '');

  const row = (key) => e2e.find((r) => r.key === key);
  const e2eRun = row('run');
  const e2eRun1 = row('run1');
  const e2eCold = row('cold');
  const e2eNpm = row('npm');
  const e2eNode = row('node');
  const tpl1 = row('tpl');
  const tplNpx = row('tplNpx');
  const at = (n) => scale.find((r) => r.n === n);
  const small = at(100) ?? scale[0];
  const large = at(5000) ?? scale[scale.length - 1];
  const mid = at(1000) ?? large;
  // CPU time of the measuring process (user + system) is the work done; wall time adds the wait for a CPU,
  // which on a machine shared with other processes (load above nproc) swings by several times between runs.
  const perObj = (r) => r.constructFullCpuMs / r.construct.objects;
  const ok = (r) => r && !r.failed;
  const ratio = (a, b) => (ok(a) && ok(b) ? a.wallMs / b.wallMs : undefined);
  const tplRatio = ratio(e2eNpm, tpl1);
  const floorRatio = (r) => r.constructFullCpuMs / r.l1SynthCpuMs;
  const floorWallRatio = (r) => r.constructFullMs / r.l1SynthMs;
  const targets = [
    ['Reference app, all four profiles, synth with gates (`npm run synth`) ÷ default-template cdk8s app with one StatefulSet (`ts-node main.ts`), same run', '≤ 0.25×',
      tplRatio === undefined ? `n/a (${defaultApp && defaultApp.error ? `default-template app unavailable: ${defaultApp.error}` : 'default-template app not run'})`
        : `${f2(tplRatio)}× (${f0(e2eNpm.wallMs)} ms ÷ ${f0(tpl1.wallMs)} ms; \`node apps/run.js\` ÷ \`npx ts-node main.ts\`, each template's own app command: ${f2(ratio(e2eRun, tplNpx))}×)`,
      tplRatio === undefined ? undefined : tplRatio <= 0.25],
    [`N = ${mid.n} databases, full render with gates ÷ hand-written L1 + cdk8s \`Yaml.stringify\` floor (same objects, same run)`, '≤ 0.6×',
      `${f2(floorRatio(mid))}× CPU time (${f0(mid.constructFullCpuMs)} ms ÷ ${f0(mid.l1SynthCpuMs)} ms); wall ${f2(floorWallRatio(mid))}× (${f0(mid.constructFullMs)} ms ÷ ${f0(mid.l1SynthMs)} ms)`, floorRatio(mid) <= 0.6],
    [`Linear to ${large.n}: per-object CPU time (full render with gates), N = ${large.n} vs N = ${small.n}`, '≤ 1.5×', `${f2(perObj(large) / perObj(small))}× (${us(large.constructFullCpuMs, large.construct.objects)} vs ${us(small.constructFullCpuMs, small.construct.objects)} µs/object; wall ${us(large.constructFullMs, large.construct.objects)} vs ${us(small.constructFullMs, small.construct.objects)}); ÷ floor at N = ${large.n}: ${f2(floorRatio(large))}× CPU, ${f2(floorWallRatio(large))}× wall`, perObj(large) / perObj(small) <= 1.5],
    [`Peak RSS, N = ${large.n} databases (constructs, YAML files written, gates; one process)`, '< 600 MiB', `${mib(large.construct.maxRssKiB)} MiB (floor: ${mib(large.l1.maxRssKiB)} MiB)`, large.construct.maxRssKiB < 600 * 1024],
    ['Reference app, `npm run synth` wall (absolute: moves between machines)', '< 1.0 s', ok(e2eNpm) ? `${f2(e2eNpm.wallMs / 1000)} s (\`node apps/run.js\`: ${f2(e2eRun.wallMs / 1000)} s; one thread ${f2(e2eRun1.wallMs / 1000)} s; first run without transpile cache: ${f2(e2eCold.wallMs / 1000)} s)` : 'failed', ok(e2eNpm) ? e2eNpm.wallMs < 1000 : undefined],
    [`Gates added to the render, N = ${mid.n}`, '< 30%', `${f0((100 * mid.construct.gatesMs) / mid.constructSynthMs)}%`, mid.construct.gatesMs / mid.constructSynthMs < 0.3],
  ];
  if (app.total) {
    const t = app.total;
    const synth = t.buildMs + t.validateMs + t.toJsonMs + t.yamlMs;
    const gates = t.validatorLoadMs + t.gatesMs;
    targets.push(['Gates added to synth, reference app (4 profiles, in memory, first render)', '< 30%',
      `${f0((100 * gates) / synth)}% (${f0(gates)} of ${f0(synth)} ms, of which loading the precompiled validators ${f0(t.validatorLoadMs)} ms)`, gates / synth < 0.3]);
  }
  L.push('## Targets', '', '| Target | Goal | Measured | |', '|---|---|---|---|');
  for (const [what, goal, got, ok] of targets) L.push(`| ${what} | ${goal} | ${got} | ${verdict(ok)} |`);
  L.push('');

  L.push('## Ratios, measured side by side in this run', '');
  L.push('Absolute times move between machines and with load; these ratios compare commands run round-robin in the same run (end to end) or the same objects in fresh processes of the same run (N databases; CPU time of the process, user + system, as well as wall time: on a shared machine the wall time adds the wait for a CPU).', '');
  L.push('| Ratio | Value | Absolute |', '|---|---|---|');
  const ratioRow = (what, a, b) => L.push(`| ${what} | ${ratio(a, b) === undefined ? 'n/a' : `${f2(ratio(a, b))}×`} | ${ok(a) ? f0(a.wallMs) : 'n/a'} ms ÷ ${ok(b) ? f0(b.wallMs) : 'n/a'} ms |`);
  ratioRow('`npm run synth` ÷ `node -e 0`', e2eNpm, e2eNode);
  ratioRow('`node apps/run.js` ÷ `node -e 0`', e2eRun, e2eNode);
  ratioRow('`npm run synth` ÷ default-template app (`ts-node main.ts`)', e2eNpm, tpl1);
  ratioRow('`node apps/run.js` ÷ default-template app (`npx ts-node main.ts`, its cdk8s.yaml `app`)', e2eRun, tplNpx);
  ratioRow('`node apps/run.js`, one worker thread ÷ one thread', row('runW'), e2eRun1);
  for (const r of scale.filter((x) => x.n >= 1000 || x === scale[scale.length - 1])) {
    L.push(`| N = ${r.n}: full render with gates ÷ hand-written L1 + cdk8s \`Yaml.stringify\`, CPU time | ${f2(floorRatio(r))}× | ${f0(r.constructFullCpuMs)} ms ÷ ${f0(r.l1SynthCpuMs)} ms |`);
    L.push(`| N = ${r.n}: the same, wall time | ${f2(floorWallRatio(r))}× | ${f0(r.constructFullMs)} ms ÷ ${f0(r.l1SynthMs)} ms |`);
    L.push(`| N = ${r.n}: peak RSS, ours ÷ floor | ${f2(r.construct.maxRssKiB / r.l1.maxRssKiB)}× | ${mib(r.construct.maxRssKiB)} MiB ÷ ${mib(r.l1.maxRssKiB)} MiB |`);
  }
  L.push('');
  if (defaultApp) {
    L.push(defaultApp.dir
      ? `The default-template app is what \`cdk8s init typescript-app\` creates (tsconfig.json, cdk8s.yaml and main.ts's chart from the installed cdk8s-cli ${defaultApp.cliVersion} template, \`imports/k8s.ts\` generated by that CLI's \`cdk8s import k8s@${defaultApp.k8sVersion}\` from the vendored definitions), with one StatefulSet and its headless Service in the chart; ts-node type-checks it on every run, as the template's \`app\` command does (bench/default-app.js).`
      : `The default-template app could not be prepared: ${defaultApp.error}.`, '');
  }

  const emitterRow = scale.find((r) => r.emitters);
  if (emitterRow) {
    const e = emitterRow.emitters;
    L.push(`## (e) YAML writers on the same ${e.objects} objects (N = ${e.n}, one process, median of 3)`, '');
    L.push('| Writer | ms | ÷ ours | MiB out |', '|---|---|---|---|');
    for (const [key, label] of [['toYaml', 'ours: `toYaml` (lib/gitops/yaml-emitter.ts)'], ['jsYaml', '`js-yaml` `dump` (noRefs, lineWidth -1, double quotes), documents joined'], ['cdk8sYaml', 'cdk8s `Yaml.stringify` (the `yaml` package)'], ['json', '`JSON.stringify` (not YAML: the lower bound)']]) {
      L.push(`| ${label} | ${f0(e[`${key}Ms`])} | ${f2(e[`${key}Ms`] / e.toYamlMs)}× | ${f1(e[`${key}Bytes`] / 2 ** 20)} |`);
    }
    L.push('');
  }

  L.push('## (a) The README\'s main command, end to end', '');
  L.push(`Wall time from the shell (spawn to exit), all four profiles (kind, gke, eks, aks): transpile TypeScript with esbuild, build, validations, gates, write \`dist/\`. Commands run round-robin (${e2eRuns} rounds${defaultApp && defaultApp.dir ? `; the ts-node rows ${tsNodeRuns}` : ''}).`, '');
  L.push('| Command | Median wall | Fastest | Peak RSS |', '|---|---|---|---|');
  for (const r of e2e) {
    L.push(`| ${r.label} | ${r.failed ? `failed: ${r.failed.split('\n')[0]}` : `${f0(r.wallMs)} ms`} | ${r.failed ? '' : `${f0(r.min)} ms`} | ${r.maxRssKiB ? `${mib(r.maxRssKiB)} MiB` : ''} |`);
  }
  L.push('');
  if (app.failed) {
    L.push(`The reference app failed to render in memory: \`${app.failed.split('\n').slice(0, 3).join(' ')}\``, '');
  } else {
    L.push('In memory, phase by phase (one process, medians of 3; `build` = constructing the app, `toJson` = cdk8s resolving and serializing every object, `YAML` = writing each chart\'s file with the library\'s emitter):', '');
    L.push(`- module loading: ${f0(app.requireMs)} ms, of which esbuild transpiling ${app.tsFiles} TypeScript files: ${f0(app.transpileMs)} ms (node start to app code ready: ${f0(app.loadMs)} ms)`);
    L.push(`- everything rendered again once warm (renderProfile × 4): ${f0(app.renderAllWarmMs)} ms; peak RSS ${mib(app.maxRssKiB)} MiB`, '');
    if (app.failures && app.failures.length) L.push(`**Note:** the gates fail on this commit: ${app.failures.join('; ')}. Timings are of the full pipeline all the same.`, '');
    L.push('| Profile | Objects | build | validate | toJson | YAML | gates: load validators | gates: run | total |', '|---|---|---|---|---|---|---|---|---|');
    for (const p of [...app.profiles, { ...app.total, profile: '**all (first render, cold)**' }, { ...app.warmTotal, profile: 'all, rendered again (warm)' }]) {
      const total = p.buildMs + p.validateMs + p.toJsonMs + p.yamlMs + (p.validatorLoadMs ?? 0) + p.gatesMs;
      L.push(`| ${p.profile} | ${p.objects} | ${f1(p.buildMs)} | ${f1(p.validateMs)} | ${f1(p.toJsonMs)} | ${f1(p.yamlMs)} | ${p.validatorLoadMs === undefined ? '(loaded)' : f1(p.validatorLoadMs)} | ${f1(p.gatesMs)} | ${f1(total)} ms |`);
    }
    L.push('');
  }

  L.push('## (b) constructs, (c) plain-L1 floor, (d) gates: N databases in one chart', '');
  L.push(`Each database is a ${tpl.subject}: ${tpl.perDb.length} objects (${perDbKinds}), profile ${tpl.profile} (Kubernetes ${tpl.kubeVersion}); the render also holds ${tpl.shared} shared objects (namespace, StorageClassPack).`);
  L.push('(c) builds exactly the same objects as typed cdk8s L1 objects (`k8s.KubeStatefulSet`, `KubeService`, ... from the rendered JSON, via the binding\'s own converters; fields the binding lacks patched in after its serializer, as StatefulWorkload does); the harness checks before measuring that both renders are identical (' +
    `${verification.problems.length ? `**${verification.problems.length} differences**` : `${verification.objects} objects at N = ${verification.n}: identical`}). Props for (c) are allocated outside the timed build.`);
  if (verification.gateErrors) {
    L.push(`**Note:** on this commit the gates report ${verification.gateErrors} error(s) per ${verification.n} databases on the bench render (first: \`${verification.firstGateError}\`); they run to completion and are timed the same way.`);
  }
  L.push('Each (N, mode) runs in a fresh process after a warm-up render of up to 20 databases (so JIT warm-up and module loading are not in the per-object cost; they are in (a)). synth = build + validate + toJson + YAML (writing each chart\'s file: ours with \`writeManifestFile\`, the floor with cdk8s \`Yaml.stringify\` then \`writeFileSync\`, as \`app.synth()\` does); gates run on the same objects; full render = synth + gates.', '');
  L.push('| N | objects | YAML MiB | constructs synth | µs/object | plain L1 synth | µs/object | overhead | gates (in synth process) | gates alone (cold / warm) | gates / synth | RSS constructs+gates | RSS L1 | RSS gates |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of scale) {
    L.push(`| ${r.n} | ${r.construct.objects} | ${f1(r.construct.bytes / 2 ** 20)} | ${f0(r.constructSynthMs)} ms | ${us(r.constructSynthMs, r.construct.objects)} | ${f0(r.l1SynthMs)} ms | ${us(r.l1SynthMs, r.l1.objects)} | ${f2(r.constructSynthMs / r.l1SynthMs)}× | ${f0(r.construct.gatesMs)} ms | ${f0(r.gates.coldMs)} / ${f0(r.gates.gatesMs)} ms | ${f0((100 * r.construct.gatesMs) / r.constructSynthMs)}% | ${mib(r.construct.maxRssKiB)} MiB | ${mib(r.l1.maxRssKiB)} MiB | ${mib(r.gates.maxRssKiB)} MiB |`);
  }
  L.push('', 'Synth phases (ms, medians):', '');
  L.push('| N | constructs: build / validate / toJson / YAML | plain L1: build / validate / toJson / YAML | per-object: constructs / L1 (µs) |', '|---|---|---|---|');
  for (const r of scale) {
    const c = r.construct;
    const l = r.l1;
    L.push(`| ${r.n} | ${f0(c.buildMs)} / ${f0(c.validateMs)} / ${f0(c.toJsonMs)} / ${f0(c.yamlMs)} | ${f0(l.buildMs)} / ${f0(l.validateMs)} / ${f0(l.toJsonMs)} / ${f0(l.yamlMs)} | ${us(c.buildMs + c.validateMs + c.toJsonMs + c.yamlMs, c.objects)} / ${us(l.buildMs + l.validateMs + l.toJsonMs + l.yamlMs, l.objects)} |`);
  }
  L.push('');

  L.push('## Reading the numbers', '');
  const share = (r, k) => (100 * r[k]) / (r.buildMs + r.validateMs + r.toJsonMs + r.yamlMs);
  const mc = mid.construct;
  const ml = mid.l1;
  L.push(`- At N = ${mid.n}, writing the YAML files is ${f0(share(mc, 'yamlMs'))}% of our synth (${f0(mc.yamlMs)} ms, the library's emitter) and ${f0(share(ml, 'yamlMs'))}% of the plain-L1 floor's (${f0(ml.yamlMs)} ms, cdk8s \`Yaml.stringify\`: the \`yaml\` package building a document tree per object); cdk8s \`toJson\` (resolve, sanitize, sort keys, the binding's converters) is ${f0(share(mc, 'toJsonMs'))}% / ${f0(share(ml, 'toJsonMs'))}%, the same code on the same objects in both. The constructs' own cost is the build phase, ${f0(mc.buildMs)} ms vs ${f0(ml.buildMs)} ms for plain L1 (${us(mc.buildMs, mc.objects)} vs ${us(ml.buildMs, ml.objects)} µs/object), which builds props, validates input, asks the profile and wires Services, PDB and ConfigMap.`);
  const growth = (k) => (large.construct[k] / large.construct.objects) / (small.construct[k] / small.construct.objects);
  const phaseGrowth = ['buildMs', 'validateMs', 'toJsonMs', 'yamlMs', 'gatesMs'].map((k) => `${k.replace('Ms', '')} ${f2(growth(k))}×`).join(', ');
  L.push(`- Per-object synth cost at N = ${scale.map((r) => r.n).join(', ')}: ${scale.map((r) => `${us(r.constructSynthMs, r.construct.objects)}`).join(' → ')} µs/object (N = ${large.n} vs ${small.n}: ${f2(perObj(large) / perObj(small))}×; ${perObj(large) / perObj(small) <= 1.5 ? 'linear within the target' : '**superlinear**: see the phase that grows'}). Per-object growth by phase, N = ${large.n} vs ${small.n}: ${phaseGrowth}.`);
  L.push(`- Gates at N = ${mid.n}: ${f0(mc.gatesMs)} ms in the synth process (${us(mc.gatesMs, mc.objects)} µs/object); alone, cold ${f0(mid.gates.coldMs)} ms (includes loading the precompiled validators of one Kubernetes version, once per process) and ${f0(mid.gates.gatesMs)} ms warm.`);
  if (app.total) {
    L.push(`- The reference app's end-to-end time is mostly fixed cost: node start (${f0(e2e[0].wallMs)} ms), loading cdk8s, cdk8s-plus-27 and the library (${f0(app.requireMs)} ms with the transpile cache; the cache-off row above shows the cost of transpiling), then rendering ${app.total.objects} objects (${f0(app.total.buildMs + app.total.validateMs + app.total.toJsonMs + app.total.yamlMs + app.total.validatorLoadMs + app.total.gatesMs)} ms cold). On a first render, the gates' largest part is loading the precompiled validators (${f0(app.total.validatorLoadMs)} ms for the versions of the four profiles plus the built-in CRDs, about 1 MB of generated JavaScript per version); once loaded, gating costs ${f0(app.warmTotal.gatesMs)} ms for all four profiles.`);
  }
  L.push('');

  if (profs.length) {
    L.push('## Where the time goes (node --cpu-prof, self time)', '');
    for (const p of profs) {
      L.push(`### ${p.label}`, '', `Sampled ${f0(p.totalMs)} ms.`, '');
      L.push('| Area | self ms | % |', '|---|---|---|');
      for (const a of p.areas.slice(0, 10)) L.push(`| ${a.area} | ${f0(a.selfMs)} | ${f0(a.pct)}% |`);
      L.push('', '| Top frames | where | self ms | % |', '|---|---|---|---|');
      for (const t of p.top) L.push(`| \`${t.name}\` | ${t.where} | ${f0(t.selfMs)} | ${f1(t.pct)}% |`);
      L.push('');
    }
  }
  return `${L.join('\n')}\n`;
}

function main() {
  log(smoke ? 'smoke run (tiny sizes, one run each; no timing is asserted)' : `full run: sizes ${sizes.join(', ')}`);
  const mach = machine();
  const verification = worker('verify', ['--n', '3']);
  if (verification.problems.length) {
    throw new HarnessError(`the plain-L1 render differs from the constructs' render:\n${verification.problems.slice(0, 5).join('\n')}`);
  }
  log(`verified: plain-L1 render == constructs render (${verification.objects} objects)` +
    (verification.gateErrors ? `; the gates report ${verification.gateErrors} error(s) on the bench render (measured anyway): ${verification.firstGateError}` : ', gates pass'));
  let defaultApp;
  if (withDefaultApp) {
    log('default-template app (generated once, then reused from node_modules/.cache)');
    const r = spawnSync(process.execPath, [path.join(__dirname, 'default-app.js')], { cwd: ROOT, encoding: 'utf8' });
    const dir = (r.stdout || '').trim().split('\n').pop();
    defaultApp = r.status === 0 && dir
      ? { dir, cliVersion: require(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'package.json')).version, k8sVersion: require('./default-app').K8S_VERSION }
      : { error: (r.stderr || `exit ${r.status}`).trim().split('\n')[0] };
    if (defaultApp.error) log(`default-template app unavailable; reported, not fatal: ${defaultApp.error}`);
  }
  log('end to end');
  const e2e = endToEnd(defaultApp);
  log('reference app in memory');
  const app = appBreakdown();
  const scale = scaling();
  const profs = cpuProf ? (log('CPU profiles'), profiles()) : [];
  // Init to first synth in a user repository needs npm pack and an install, so the integration test that runs the
  // scaffold end to end measures it (test/integration/user-repo.test.ts prints it); bench/RESULTS-user-repo.md holds
  // those numbers and is kept here with the rest.
  const userRepo = path.join(ROOT, 'bench/RESULTS-user-repo.md');
  const text = report({ mach, verification, e2e, app, scale, profs, defaultApp }) +
    (fs.existsSync(userRepo) ? `\n${fs.readFileSync(userRepo, 'utf8').replace(/^## /, '## (f) ')}` : '');
  if (smoke) {
    process.stdout.write(text);
    log(`smoke ok in ${((Date.now() - started) / 1000).toFixed(1)} s (RESULTS.md untouched)`);
  } else {
    fs.writeFileSync(outFile, text);
    process.stdout.write(text.split('## (a)')[0]);
    log(`wrote ${path.relative(ROOT, outFile)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}

try {
  main();
} catch (e) {
  log(e instanceof HarnessError ? e.message : e.stack);
  process.exitCode = 1;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
