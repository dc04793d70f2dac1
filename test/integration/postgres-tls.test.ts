/**
 * PostgreSQL with the rendered TLS settings on a real server (Debian's postgresql package): a CA
 * and a server certificate made here with openssl, its SANs the DNS names of the rendered
 * cert-manager Certificate; the server runs on 127.0.0.5 with the rendered postgresql.conf and
 * pg_hba.conf (manual mode) as its config_file and hba_file. Only what a pod gets from its
 * environment is remapped: the TLS mount directory (/etc/tls, rewritten to the test's directory
 * holding the Secret's files under the rendered volume's paths), listen address, port and socket
 * directory. Cluster names resolve to the loopback address through libpq's `hostaddr`, while
 * `host` stays the DNS name, so verify-full checks that name against the certificate.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Credentials, DatabaseEngine, Profile, ServerTls, StatefulDatabase, StorageClassPack } from '../../lib';
import { Manifest, find, newChart, synth } from '../support/synth';
import { postgresBinDir } from './database-support';
import { freePort } from '../support/ports';
import { RunAs, chownTree, startScript, stop, systemUser, waitFor } from '../support/servers';

const ADDRESS = '127.0.0.5';
const PASSWORD = 'tls-test-pw';

function rendered(): { objects: Manifest[]; db: StatefulDatabase } {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'pack');
  const db = new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('15.8'),
    replicas: 2,
    namespace: 'ml-db',
    storage: { tier: pack.fast, size: '1Gi' },
    credentials: Credentials.existingSecret('postgres-credentials'),
    resources: { memory: '256Mi' },
    tls: ServerTls.certManager({ issuer: { name: 'platform-ca' } }),
  });
  return { objects: synth(chart), db };
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
}

/** A self-signed CA `name`.crt/.key in `dir`. */
function makeCa(dir: string, name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
}

describe('PostgreSQL with the rendered TLS settings', () => {
  const { objects } = rendered();
  const configMap = find(objects, 'ConfigMap', 'postgres-config');
  const statefulSet = find(objects, 'StatefulSet', 'postgres');
  const certificate = find(objects, 'Certificate', 'postgres-tls');
  const dnsNames: string[] = certificate.spec.dnsNames;
  const bin = postgresBinDir();
  const user: RunAs | undefined = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  let tmp: string;
  let port: number;
  let server: ReturnType<typeof startScript> | undefined;

  /** psql as the superuser with `conninfo`; the password from the environment, never the command line. */
  const psql = (conninfo: string, sql = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()') => spawnSync(path.join(bin, 'psql'),
    ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql, `${conninfo} port=${port} user=admin dbname=postgres connect_timeout=5`],
    { encoding: 'utf8', timeout: 20000, env: { PATH: process.env.PATH, PGPASSWORD: PASSWORD, HOME: tmp } });

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-tls-'));
    port = await freePort();
    // CA, and a server certificate for every name of the rendered Certificate.
    const pki = path.join(tmp, 'pki');
    fs.mkdirSync(pki);
    makeCa(pki, 'ca');
    makeCa(pki, 'other-ca');
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=postgres',
      '-keyout', 'server.key', '-out', 'server.csr'], pki);
    fs.writeFileSync(path.join(pki, 'san.ext'), `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
      '-extfile', 'san.ext', '-out', 'server.crt'], pki);
    // The Secret's keys at the paths of the rendered volume's items (what the kubelet mounts at /etc/tls).
    const volume = statefulSet.spec.template.spec.volumes.find((v: any) => v.name === 'tls');
    const secret: Record<string, string> = { 'tls.crt': 'server.crt', 'tls.key': 'server.key', 'ca.crt': 'ca.crt' };
    const tlsDir = path.join(tmp, 'tls');
    fs.mkdirSync(tlsDir);
    for (const item of volume.secret.items) fs.copyFileSync(path.join(pki, secret[item.key]), path.join(tlsDir, item.path));
    const mount = statefulSet.spec.template.spec.containers.find((c: any) => c.name === 'postgres').volumeMounts.find((m: any) => m.name === 'tls');
    // Rendered config and pg_hba, with the mount directory remapped to the test's.
    const config = path.join(tmp, 'config');
    fs.mkdirSync(config);
    fs.writeFileSync(path.join(config, 'postgresql.conf'), configMap.data['postgresql.conf'].split(`'${mount.mountPath}/`).join(`'${tlsDir}/`));
    fs.writeFileSync(path.join(config, 'pg_hba.conf'), configMap.data['pg_hba.conf']);
    const data = path.join(tmp, 'data');
    const run = path.join(tmp, 'run');
    fs.mkdirSync(run);
    fs.writeFileSync(path.join(tmp, 'pw'), PASSWORD);
    chownTree(tmp, user);
    fs.chmodSync(path.join(tlsDir, 'tls.key'), 0o600);
    const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'admin', `--pwfile=${path.join(tmp, 'pw')}`, '-A', 'scram-sha-256'],
      { encoding: 'utf8', timeout: 60000, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
    const script = path.join(tmp, 'start.sh');
    fs.writeFileSync(script, `exec "${bin}/postgres" -D "${data}" -c "config_file=${config}/postgresql.conf" -c "hba_file=${config}/pg_hba.conf" ` +
      `-c listen_addresses=${ADDRESS} -c port=${port} -c "unix_socket_directories=${run}"\n`);
    server = startScript(script, { PATH: process.env.PATH ?? '' }, user);
    await waitFor('PostgreSQL with TLS to accept connections', () =>
      spawnSync(path.join(bin, 'pg_isready'), ['-q', '-h', ADDRESS, '-p', String(port)]).status === 0, 30000)
      .catch((e) => { throw new Error(`${e.message}\n${server?.output()}`); });
  });

  afterAll(async () => {
    await stop(server?.process, 'SIGINT');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the rendered files turn TLS on and allow TCP over TLS only', () => {
    expect(configMap.data['postgresql.conf']).toContain('ssl = on\n');
    expect(configMap.data['pg_hba.conf']).toMatch(/^hostssl all +all +all +scram-sha-256$/m);
    expect(configMap.data['pg_hba.conf']).not.toMatch(/^host /m);
  });

  test.each([
    ['the -rw Service', 'postgres-rw.ml-db.svc.cluster.local'],
    ['the -ro Service', 'postgres-ro.ml-db.svc'],
    ['pod 0 (replicas clone and stream from this name)', 'postgres-0.postgres-headless.ml-db.svc.cluster.local'],
  ])('a verify-full client with the CA connects over TLS to %s', (_what, host) => {
    expect(dnsNames).toContain(host);
    const r = psql(`host=${host} hostaddr=${ADDRESS} sslmode=verify-full sslrootcert=${path.join(tmp, 'pki', 'ca.crt')}`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('t');
  });

  test('a plaintext TCP client is refused by pg_hba', () => {
    const r = psql(`host=postgres-rw.ml-db.svc.cluster.local hostaddr=${ADDRESS} sslmode=disable`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('FATAL:  no pg_hba.conf entry for host');
    expect(r.stderr).toContain('user "admin", database "postgres", no encryption');
  });

  test('a client trusting another CA refuses the server', () => {
    const r = psql(`host=postgres-rw.ml-db.svc.cluster.local hostaddr=${ADDRESS} sslmode=verify-full sslrootcert=${path.join(tmp, 'pki', 'other-ca.crt')}`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('certificate verify failed');
  });

  test('verify-full refuses a name the certificate does not hold', () => {
    const r = psql(`host=postgres.example.com hostaddr=${ADDRESS} sslmode=verify-full sslrootcert=${path.join(tmp, 'pki', 'ca.crt')}`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('does not match host name "postgres.example.com"');
  });

  test('the socket stays trusted without TLS (probes, exporter)', () => {
    const r = spawnSync(path.join(bin, 'psql'), ['-X', '-At', '-h', path.join(tmp, 'run'), '-p', String(port), '-U', 'admin', '-d', 'postgres', '-c', 'SELECT 1'],
      { encoding: 'utf8', timeout: 20000, env: { PATH: process.env.PATH, HOME: tmp } });
    expect(r.stdout.trim()).toBe('1');
  });
});
