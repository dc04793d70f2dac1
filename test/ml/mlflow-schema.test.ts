import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeEachShell } from '../support/shells';
import { testWith } from '../support/tools';

const SCRIPT = path.join(__dirname, '../../lib/ml/scripts/mlflow-schema.sh');
const URI = 'postgresql://mlflow:p4ss@postgres-rw.ml-db.svc.cluster.local:5432/mlflow';

/**
 * Stand-in `python`: answers the script's schema checks (`python - state`) with the exit statuses listed
 * in PY_STATES, one per call (the last repeats), `python - init` with PY_INIT_STATUS and `python - upgrade`
 * with PY_UPGRADE_STATUS. It keeps the program it was fed, so the test can check it is the real one, and
 * its whole command line, so the test can check the URI is never on one.
 */
const STAND_IN_PYTHON = `#!/bin/sh
cat > "$WORK/program.py"
echo "python $*" >> "$WORK/argv"
echo "python $2" >> "$WORK/log"
if [ "$2" = init ]; then exit "\${PY_INIT_STATUS:-0}"; fi
if [ "$2" = upgrade ]; then exit "\${PY_UPGRADE_STATUS:-0}"; fi
n=$(cat "$WORK/calls" 2>/dev/null || echo 0)
echo $((n + 1)) > "$WORK/calls"
set -- $PY_STATES
i=0
for status in "$@"; do
  last=$status
  if [ "$i" -eq "$n" ]; then exit "$status"; fi
  i=$((i + 1))
done
exit "$last"
`;

/** Stand-in `mlflow`: logs its arguments, one per line between brackets (the script must not call it). */
const STAND_IN_MLFLOW = `#!/bin/sh
echo "mlflow $*" >> "$WORK/argv"
line=mlflow
for a in "$@"; do line="$line [$a]"; done
echo "$line" >> "$WORK/log"
exit "\${MLFLOW_STATUS:-0}"
`;

describeEachShell('mlflow-schema.sh under %s', (shell) => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlflow-schema-'));
    fs.mkdirSync(path.join(work, 'bin'));
    fs.writeFileSync(path.join(work, 'bin', 'python'), STAND_IN_PYTHON, { mode: 0o755 });
    fs.writeFileSync(path.join(work, 'bin', 'mlflow'), STAND_IN_MLFLOW, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  function run(mode: string | undefined, states: string, env: Record<string, string> = {}) {
    const result = spawnSync(shell[0], [...shell.slice(1), SCRIPT, ...(mode ? [mode] : [])], {
      env: {
        PATH: `${path.join(work, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        WORK: work, PY_STATES: states, SCHEMA_WAIT_SECONDS: '0', MLFLOW_BACKEND_STORE_URI: URI, ...env,
      },
      encoding: 'utf8',
    });
    const logFile = path.join(work, 'log');
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n') : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, log };
  }

  test('migrate, empty database: creates the tables the way the server would, then checks again', () => {
    const out = run('migrate', '10 0');
    expect(out.status).toBe(0);
    expect(out.log).toEqual(['python state', 'python init', 'python state']);
    expect(out.stdout).toContain("creating MLflow's tables");
  });

  test('migrate, older schema: one upgrade by the Python program (what `mlflow db upgrade` runs), the URI on no command line', () => {
    const out = run('migrate', '11 0', { DB_PASSWORD: 'p4ss' });
    expect(out.status).toBe(0);
    expect(out.log).toEqual(['python state', 'python upgrade', 'python state']);
    expect(out.stdout).toContain('upgrading the schema');
    const argv = fs.readFileSync(path.join(work, 'argv'), 'utf8').trim().split('\n');
    expect(argv).toEqual(['python - state', 'python - upgrade', 'python - state']);
    expect(argv.join('\n')).not.toContain('p4ss');
  });

  test('migrate, current schema: nothing to do', () => {
    const out = run('migrate', '0');
    expect(out.status).toBe(0);
    expect(out.log).toEqual(['python state']);
  });

  test('migrate waits for an unreachable database, then migrates', () => {
    const out = run('migrate', '1 1 11 0');
    expect(out.status).toBe(0);
    expect(out.log).toEqual(['python state', 'python state', 'python state', 'python upgrade', 'python state']);
  });

  test('migrate gives up after SCHEMA_WAIT_ATTEMPTS checks (the Job then retries)', () => {
    const out = run('migrate', '1', { SCHEMA_WAIT_ATTEMPTS: '3' });
    expect(out.status).toBe(1);
    expect(out.stderr).toBe('schema not current after 3 checks, giving up\n');
    expect(out.log).toEqual(['python state', 'python state', 'python state']);
  });

  test('migrate refuses a schema written by a newer MLflow', () => {
    const out = run('migrate', '12');
    expect(out.status).toBe(3);
    expect(out.stderr).toBe('refusing to touch a schema newer than this MLflow: roll the image forward, not back\n');
    expect(out.log).toEqual(['python state']);
  });

  test('migrate fails instead of looping when the upgrade or the init does not take', () => {
    const behind = run('migrate', '11 11');
    expect(behind.status).toBe(1);
    expect(behind.stderr).toBe('schema still behind after the upgrade\n');
    expect(behind.log.filter((l) => l === 'python upgrade')).toHaveLength(1);
    fs.rmSync(path.join(work, 'log'));
    fs.rmSync(path.join(work, 'calls'));
    const empty = run('migrate', '10 10');
    expect(empty.status).toBe(1);
    expect(empty.stderr).toBe('no MLflow tables after creating them\n');
  });

  test('migrate stops when creating the tables fails, or the upgrade fails', () => {
    expect(run('migrate', '10 0', { PY_INIT_STATUS: '1' }).status).toBe(1);
    fs.rmSync(path.join(work, 'calls'));
    expect(run('migrate', '11 0', { PY_UPGRADE_STATUS: '2' }).status).toBe(2);
  });

  test('wait: blocks through no tables, an old schema and an unreachable database, and never writes', () => {
    const out = run('wait', '10 11 1 0');
    expect(out.status).toBe(0);
    expect(out.log).toEqual(['python state', 'python state', 'python state', 'python state']);
    expect(out.stdout.split('\n').filter((l) => l === 'waiting for the schema migration Job')).toHaveLength(3);
  });

  test('wait: a server older than the schema fails instead of serving it', () => {
    const out = run('wait', '12');
    expect(out.status).toBe(3);
    expect(out.stderr).toBe('this MLflow is older than the schema: it cannot serve it\n');
  });

  test.each(['migrate', 'wait'])('%s refuses a password that is not URL-safe before touching the database', (mode) => {
    for (const password of ['p@ss', 'a:b', 'x/y', '50%', 'a b', 'h#sh', 'q?', 'é']) {
      const out = run(mode, '0', { DB_PASSWORD: password });
      expect(out.status).toBe(65);
      expect(out.stderr).toBe('DB_PASSWORD contains characters that are not URL-safe, and MLFLOW_BACKEND_STORE_URI embeds it unescaped: ' +
        'use only letters, digits and - . _ ~ (e.g. openssl rand -hex 24) and update the database login\'s password\n');
      expect(out.stderr).not.toContain(password);
      expect(out.log).toEqual([]);
    }
    expect(run(mode, '0', { DB_PASSWORD: 'Az09-._~' }).status).toBe(0);
  });

  test('usage errors: no mode, no URI', () => {
    const none = run(undefined, '0');
    expect(none.status).toBe(64);
    expect(none.log).toEqual([]);
    const noUri = run('wait', '0', { MLFLOW_BACKEND_STORE_URI: '' });
    expect(noUri.status).not.toBe(0);
    expect(noUri.stderr).toContain('MLFLOW_BACKEND_STORE_URI is not set');
  });

  test('the program fed to python is the schema check, and it compiles', () => {
    expect(run('wait', '0').status).toBe(0);
    const program = fs.readFileSync(path.join(work, 'program.py'), 'utf8');
    expect(program).toContain('SELECT version_num FROM alembic_version');
    expect(program).toContain('utils._initialize_tables');
    expect(program).toContain('utils._upgrade_db(utils.create_sqlalchemy_engine_with_retry(url))');
    expect(program).toContain('os.environ["MLFLOW_BACKEND_STORE_URI"]');
  });

  testWith('python3')('the program fed to python compiles', () => {
    expect(run('wait', '0').status).toBe(0);
    const program = fs.readFileSync(path.join(work, 'program.py'), 'utf8');
    const compiled = spawnSync('python3', ['-c', 'import sys; compile(sys.stdin.read(), "mlflow-schema", "exec")'], { input: program, encoding: 'utf8' });
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
  });
});
