/**
 * lib/scripts/prelude.sh, the functions the container scripts share (logging, the pod ordinal, backup
 * retention), run under dash and busybox sh; how rendering writes them into a script (lib/assets.ts);
 * and that no script keeps its own copy.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readAsset, withPrelude } from '../../lib/assets';
import { describeEachShell } from '../support/shells';

const LIB = path.join(__dirname, '../../lib');
const PRELUDE = fs.readFileSync(path.join(LIB, 'scripts/prelude.sh'), 'utf8');
const FUNCTIONS = ['log', 'fail', 'pod_ordinal', 'require_keep', 'retain_newest'];

describeEachShell('prelude.sh under %s', (shell) => {
  /** Runs `body` after the functions it names on its `# prelude:` line, with only `env` (and PATH) set. */
  const run = (body: string, env: Record<string, string> = {}) => {
    const script = withPrelude(`set -eu\nscript_name=t\n${body}\n`);
    const r = spawnSync(shell[0], [...shell.slice(1), '-c', script], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  describe('log and fail', () => {
    test('log writes "<script_name>: <message>" to stderr, or to stdout with log_fd=1', () => {
      expect(run('# prelude: log\nlog a  b\nlog_fd=1\nlog c')).toEqual({ status: 0, stdout: 't: c\n', stderr: 't: a b\n' });
    });

    test('fail writes to stderr whatever log_fd says, and exits 1 before the next line', () => {
      expect(run('# prelude: fail\nlog_fd=1\nfail no way\necho after')).toEqual({ status: 1, stdout: '', stderr: 't: no way\n' });
    });
  });

  describe('pod_ordinal', () => {
    const ordinal = '# prelude: pod_ordinal\npod_ordinal\necho "$pod $ordinal"';

    test('the numeric suffix of POD_NAME', () => {
      expect(run(ordinal, { POD_NAME: 'postgres-3' })).toEqual({ status: 0, stdout: 'postgres-3 3\n', stderr: '' });
      expect(run(ordinal, { POD_NAME: 'ml-db-postgres-12' })).toEqual({ status: 0, stdout: 'ml-db-postgres-12 12\n', stderr: '' });
    });

    test('POD_INDEX (the pod-index label) wins over the name, which need not end in a number', () => {
      expect(run(ordinal, { POD_NAME: 'postgres-3', POD_INDEX: '5' }).stdout).toBe('postgres-3 5\n');
      expect(run(ordinal, { POD_NAME: 'cache', POD_INDEX: '0' }).stdout).toBe('cache 0\n');
    });

    test('without POD_NAME, the host name', () => {
      const host = spawnSync('hostname', { encoding: 'utf8' }).stdout.trim();
      expect(run(ordinal, { POD_INDEX: '2' }).stdout).toBe(`${host} 2\n`);
    });

    test('a name without a numeric suffix, or a POD_INDEX that is not a number, is refused', () => {
      expect(run(ordinal, { POD_NAME: 'cache' })).toEqual({
        status: 1, stdout: '', stderr: "t: cannot derive the pod ordinal from POD_INDEX='' or pod name 'cache'\n" });
      expect(run(ordinal, { POD_NAME: 'cache-', POD_INDEX: '' }).stderr)
        .toBe("t: cannot derive the pod ordinal from POD_INDEX='' or pod name 'cache-'\n");
      expect(run(ordinal, { POD_NAME: 'cache-1', POD_INDEX: '1a' })).toEqual({
        status: 1, stdout: '', stderr: "t: cannot derive the pod ordinal from POD_INDEX='1a' or pod name 'cache-1'\n" });
    });
  });

  describe('require_keep', () => {
    test.each(['1', '7', '30'])('KEEP=%s passes', (keep) => {
      expect(run('# prelude: require_keep\nrequire_keep\necho ok', { KEEP: keep })).toEqual({ status: 0, stdout: 'ok\n', stderr: '' });
    });

    test.each(['0', '', '03', '-1', 'two'])("KEEP='%s' exits 2", (keep) => {
      expect(run('# prelude: require_keep\nrequire_keep\necho ok', { KEEP: keep }))
        .toEqual({ status: 2, stdout: '', stderr: `KEEP must be a whole number >= 1, got '${keep}'\n` });
    });
  });

  describe('retain_newest', () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-')); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const backups = (...names: string[]) => names.forEach((n) => fs.mkdirSync(path.join(dir, n)));
    const retain = (keep: number) => run(`# prelude: retain_newest\nlog_fd=1\nretain_newest "${dir}" ${keep}`);
    const left = () => fs.readdirSync(dir).sort();

    test('keeps exactly the newest N complete backups, whatever order they were made in, and logs what it prunes', () => {
      backups('20250103-000000', '20250101-000000', '20250104-120000', '20250102-235959', '20250104-115959');
      expect(retain(2)).toEqual({ status: 0, stderr: '',
        stdout: 't: pruning 20250103-000000\nt: pruning 20250102-235959\nt: pruning 20250101-000000\n' });
      expect(left()).toEqual(['20250104-115959', '20250104-120000']);
    });

    test('removes the .partial leftovers of failed runs, which do not count towards N; leaves every other name alone', () => {
      backups('20250101-000000', '20250102-000000', '20250103-000000.partial', '20250101-000000.partial', 'lost+found', '2025-01-04', '20250105-000000.old');
      fs.writeFileSync(path.join(dir, 'notes'), '');
      expect(retain(1)).toEqual({ status: 0, stderr: '', stdout: [
        't: removing 20250103-000000.partial, left by a failed run',
        't: removing 20250101-000000.partial, left by a failed run',
        't: pruning 20250101-000000', ''].join('\n') });
      expect(left()).toEqual(['2025-01-04', '20250102-000000', '20250105-000000.old', 'lost+found', 'notes']);
    });

    test('fewer backups than N, or exactly N: nothing is pruned', () => {
      backups('20250101-000000', '20250102-000000');
      expect(retain(5)).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(retain(2)).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(left()).toEqual(['20250101-000000', '20250102-000000']);
    });

    test('N=0 prunes every complete backup (the scripts refuse KEEP=0 first: require_keep)', () => {
      backups('20250101-000000', '20250102-000000');
      expect(retain(0).stdout).toBe('t: pruning 20250102-000000\nt: pruning 20250101-000000\n');
      expect(left()).toEqual([]);
    });

    test('an empty directory: nothing to do', () => {
      expect(retain(3)).toEqual({ status: 0, stdout: '', stderr: '' });
    });
  });
});

describe('rendering (lib/assets.ts withPrelude)', () => {
  const definitions = (script: string) => [...script.matchAll(/^(\w+)\(\) \{/gm)].map((m) => m[1]);

  test('the named functions and the ones they call replace the `# prelude:` line, in the prelude\'s order', () => {
    const script = withPrelude('#!/bin/sh\nset -eu\n# prelude: retain_newest pod_ordinal\n\nmain\n');
    expect(definitions(script)).toEqual(['log', 'fail', 'pod_ordinal', 'retain_newest']);
    expect(script).toMatch(/^#!\/bin\/sh\nset -eu\n# A progress line/);
    expect(script).toMatch(/\n  done\n}\n\nmain\n$/);
    expect(script).not.toContain('# prelude:');
  });

  test('each function comes with its comment, exactly as in prelude.sh', () => {
    expect(withPrelude('# prelude: require_keep\n')).toBe(`${PRELUDE.slice(PRELUDE.indexOf('# KEEP, the number'), PRELUDE.indexOf('\n\n# Retention'))}\n`);
  });

  test('a script without the line is returned as it is; an unknown function is an error naming the file', () => {
    expect(withPrelude('#!/bin/sh\nlog() { :; }\n')).toBe('#!/bin/sh\nlog() { :; }\n');
    expect(() => withPrelude('# prelude: log retain\n', 'backup.sh'))
      .toThrow(`backup.sh: lib/scripts/prelude.sh has no function 'retain' (it has: ${FUNCTIONS.join(', ')})`);
  });

  test('readAsset renders every shell script it reads', () => {
    const script = readAsset(path.join(LIB, 'databases'), 'scripts/postgres-run.sh');
    expect(definitions(script).slice(0, 3)).toEqual(['log', 'fail', 'pod_ordinal']);
    expect(script).not.toContain('# prelude:');
  });
});

test('no script in lib/ defines its own copy of a prelude function or inlines the ordinal lookup', () => {
  const scripts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p); else if (entry.name.endsWith('.sh') && p !== path.join(LIB, 'scripts/prelude.sh')) scripts.push(p);
    }
  };
  walk(LIB);
  expect(scripts.length).toBeGreaterThan(20);
  const copies: string[] = [];
  for (const file of scripts) {
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const where = `${path.relative(LIB, file)}:${i + 1}: ${line.trim()}`;
      if (FUNCTIONS.some((f) => new RegExp(`^\\s*${f}\\s*\\(\\)`).test(line))) copies.push(where);
      if (/POD_INDEX:-|\$\{pod##\*-\}|KEEP must be a whole number|\$\(ls -1 .*\| sort -r\)/.test(line)) copies.push(where);
    });
  }
  expect(copies).toEqual([]);
});
