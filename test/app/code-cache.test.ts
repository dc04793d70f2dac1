import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const LOADER = path.resolve(__dirname, '../../apps/code-cache.js');

// The synth path's V8 code cache (Node 20): same results with and without it, one entry per module
// version, and an edited module is compiled afresh rather than served stale bytecode.
describe('apps/code-cache.js', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'code-cache-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const run = (cache: string, mod: string) => spawnSync(process.execPath, ['-e',
    `require(${JSON.stringify(LOADER)}).enableCodeCache(${JSON.stringify(cache)});` +
    `const m = require(${JSON.stringify(mod)}); console.log(JSON.stringify([m.answer(), require.resolve(${JSON.stringify(mod)}) === ${JSON.stringify(mod)}, typeof m.dir]))`,
  ], { encoding: 'utf8' });

  test('caches bytecode at exit and reuses it; an edited module gets a new entry', () => {
    const cache = path.join(tmp, 'cache');
    const mod = path.join(tmp, 'mod.js');
    fs.writeFileSync(mod, "exports.answer = () => 6 * 7; exports.dir = __dirname; exports.self = require('path').basename(__filename);\n");
    const first = run(cache, mod);
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toEqual([42, true, 'string']);
    expect(fs.readdirSync(cache)).toHaveLength(1);
    expect(JSON.parse(run(cache, mod).stdout)).toEqual([42, true, 'string']);
    expect(fs.readdirSync(cache)).toHaveLength(1);

    fs.writeFileSync(mod, "exports.answer = () => 43; exports.dir = __dirname;\n");
    fs.utimesSync(mod, new Date(), new Date(Date.now() + 5000));
    expect(JSON.parse(run(cache, mod).stdout)).toEqual([43, true, 'string']);
    expect(fs.readdirSync(cache)).toHaveLength(2);
  });
});
