import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Credentials, MaxMemoryPolicy, Profile, RedisMode, RedisServer, StorageClassPack,
  defaultMaxmemoryBytes, redisBytes, runGates,
} from '../../lib';
import { Manifest, all, find, newChart, selects, synth } from '../support/synth';
import { describeEachShell } from '../support/shells';

const SCRIPTS = path.resolve(__dirname, '../../lib/ml/scripts');

function redis(profile: Profile = Profile.kind(), extra: Partial<ConstructorParameters<typeof RedisServer>[2]> = {}) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'pack');
  const server = new RedisServer(chart, 'redis', {
    name: 'cache', namespace: 'ml-features', password: Credentials.existingSecret('cache-auth'),
    storage: { tier: pack.iops, size: '20Gi' }, memory: '8Gi', ...extra,
  });
  return { chart, server, pack };
}

describe('redis.conf', () => {
  const { server } = redis();
  const conf = server.redisConf.split('\n');

  test('persists with AOF fsynced every second plus RDB save points, in the claim', () => {
    expect(conf).toEqual(expect.arrayContaining([
      'appendonly yes', 'appendfsync everysec', 'dir /data',
      'save 900 1', 'save 300 10', 'save 60 10000',
    ]));
  });

  test('maxmemory is 75% of the memory limit and the default policy never evicts', () => {
    expect(conf).toContain('maxmemory 6gb');
    expect(conf).toContain('maxmemory-policy noeviction');
    expect(server.maxmemoryBytes).toBe(6 * 2 ** 30);
  });

  test('listens with protected mode on and takes the password from the runtime include, never literally', () => {
    expect(conf).toContain('protected-mode yes');
    expect(conf).toContain('bind * -::*');
    expect(conf[conf.length - 2]).toBe('include /run/redis/runtime.conf');
    expect(server.redisConf).not.toMatch(/^\s*(requirepass|masterauth|replicaof)\b/m);
  });

  test('redis byte units and the 75% rule', () => {
    expect(redisBytes(6 * 2 ** 30)).toBe('6gb');
    expect(redisBytes(768 * 2 ** 20)).toBe('768mb');
    expect(redisBytes(1000)).toBe('1000');
    expect(defaultMaxmemoryBytes('1Gi')).toBe(768 * 2 ** 20);
    expect(defaultMaxmemoryBytes('1G')).toBe(715 * 2 ** 20); // rounded down to whole MiB
  });

  test('explicit maxmemory and policy are rendered', () => {
    const { server: s } = redis(Profile.kind(), { maxmemory: '7Gi', maxmemoryPolicy: MaxMemoryPolicy.allKeysLfu(), savePoints: [{ seconds: 120, changes: 5 }] });
    expect(s.redisConf).toContain('\nmaxmemory 7gb\nmaxmemory-policy allkeys-lfu\n');
    expect(s.redisConf.match(/^save .*/gm)).toEqual(['save 120 5']);
    expect(MaxMemoryPolicy.noEviction().evicts).toBe(false);
    expect(MaxMemoryPolicy.volatileTtl().evicts).toBe(true);
  });
});

describe('bad input', () => {
  test('maxmemory above the memory limit', () => {
    expect(() => redis(Profile.kind(), { maxmemory: '9Gi' })).toThrow(
      "RedisServer 'test/redis': maxmemory 9Gi is above the container memory limit 8Gi; the kernel would OOM-kill Redis before it enforces its limit. " +
      'Leave maxmemory unset (75% of the limit) or raise memory.');
  });

  test('replicated mode with one server', () => {
    expect(() => redis(Profile.kind(), { mode: RedisMode.replicated(1) })).toThrow(
      "RedisServer 'test/redis': RedisMode.replicated(1) needs at least 2 servers (a primary and a replica); " +
      'use RedisMode.standalone() for a single server or RedisMode.replicated(3) for a primary and two replicas.');
  });

  test('save points must be positive', () => {
    expect(() => redis(Profile.kind(), { savePoints: [{ seconds: 0, changes: 1 }] })).toThrow(
      "RedisServer 'test/redis': save point { seconds: 0, changes: 1 } needs whole numbers ≥ 1.");
  });
});

describe('topology', () => {
  test('standalone is one pod', () => {
    const { chart } = redis();
    expect(find(synth(chart), 'StatefulSet', 'cache').spec.replicas).toBe(1);
  });

  test('replicated: one StatefulSet, replicas follow pod 0 by the DNS name its headless Service governs', () => {
    const { chart, server } = redis(Profile.kind(), { mode: RedisMode.replicated(3) });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'cache');
    expect(sts.spec.replicas).toBe(3);
    expect(all(objects, 'StatefulSet')).toHaveLength(1);
    const env = sts.spec.template.spec.containers[0].env;
    const primary = env.find((e: any) => e.name === 'REDIS_PRIMARY_HOST').value;
    expect(primary).toBe('cache-0.cache-headless.ml-features.svc.cluster.local');
    expect(server.primaryHost).toBe(primary);
    expect(server.replicaHosts).toEqual([
      'cache-1.cache-headless.ml-features.svc.cluster.local', 'cache-2.cache-headless.ml-features.svc.cluster.local']);
    // <pod>.<governing service>.<namespace>: the pod name exists and the Service governs the StatefulSet.
    const [pod, svc, ns] = primary.split('.');
    expect(pod).toBe(`${sts.metadata.name}-0`);
    expect(svc).toBe(sts.spec.serviceName);
    const headless = find(objects, 'Service', svc);
    expect(headless.spec.clusterIP).toBe('None');
    expect(selects(headless.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    expect(ns).toBe(sts.metadata.namespace);
    // The only Service in front of the Redis pods is the headless one: no load-balanced split brain.
    expect(all(objects, 'Service').map((s) => s.metadata.name)).toEqual(['cache-headless']);
  });

  test('the pod ordinal comes from the pod-index label where the version has it, else from the pod name', () => {
    const envNames = (p: Profile) => find(synth(redis(p).chart), 'StatefulSet', 'cache').spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(envNames(Profile.kind())).toEqual(['REDIS_PASSWORD', 'POD_NAME', 'POD_INDEX', 'REDIS_PORT', 'REDIS_PRIMARY_HOST', 'REDIS_PRIMARY_PORT']);
    expect(envNames(Profile.kind({ kubeVersion: '1.27' }))).not.toContain('POD_INDEX');
  });
});

describe('pods', () => {
  const { chart } = redis(Profile.kind(), { mode: RedisMode.replicated(3) });
  const objects = synth(chart);
  const sts = find(objects, 'StatefulSet', 'cache');
  const pod = sts.spec.template.spec;
  const container = pod.containers[0];

  test('the official image runs as redis (999) with a read-only root and the config mounted from the ConfigMap', () => {
    expect(container.image).toBe('redis:7.4.2');
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.command).toEqual(['sh', '/etc/redis/redis-start.sh']);
    const cm = find(objects, 'ConfigMap', 'cache-config');
    expect(Object.keys(cm.data).sort()).toEqual(['redis-probe.sh', 'redis-start.sh', 'redis.conf']);
    expect(cm.data['redis-start.sh']).toBe(fs.readFileSync(path.join(SCRIPTS, 'redis-start.sh'), 'utf8'));
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'cache-config', defaultMode: 0o444 } });
    expect(container.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'data', mountPath: '/data' }, { name: 'config', mountPath: '/etc/redis', readOnly: true }, { name: 'w-run-redis', mountPath: '/run/redis' }]));
  });

  test('the password is a Secret reference and no Secret is synthesized', () => {
    expect(container.env[0]).toEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'password' } } });
    expect(all(objects, 'Secret')).toEqual([]);
  });

  test('memory request equals the limit; probes run the probe script', () => {
    expect(container.resources.limits.memory).toBe('8Gi');
    expect(container.resources.requests.memory).toBe('8Gi');
    expect(container.readinessProbe.exec.command).toEqual(['sh', '/etc/redis/redis-probe.sh', 'readiness']);
    expect(container.livenessProbe.exec.command).toEqual(['sh', '/etc/redis/redis-probe.sh', 'liveness']);
    expect(container.startupProbe.exec.command).toEqual(['sh', '/etc/redis/redis-probe.sh', 'liveness']);
  });

  test('a config change rolls the pods (config hash on the template)', () => {
    const other = find(synth(redis(Profile.kind(), { mode: RedisMode.replicated(3), maxmemory: '4Gi' }).chart), 'StatefulSet', 'cache');
    expect(sts.spec.template.metadata.annotations['ml.cdk8s.io/config-hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(other.spec.template.metadata.annotations['ml.cdk8s.io/config-hash']).not.toBe(sts.spec.template.metadata.annotations['ml.cdk8s.io/config-hash']);
  });

  test('PDB, claims and anti-affinity come from the workload core', () => {
    const pdb = find(objects, 'PodDisruptionBudget', 'cache');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(selects(pdb.spec.selector.matchLabels, sts.spec.template.metadata.labels)).toBe(true);
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' } });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
  });

  test('allowFrom admits a client on 6379 and the pods among themselves (replication)', () => {
    const { chart: c, server } = redis(Profile.kind(), { mode: RedisMode.replicated(2) });
    server.allowFrom({ namespace: 'ml-training', podSelector: { app: 'materializer' } });
    const policy = find(synth(c), 'NetworkPolicy', 'cache');
    expect(policy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: server.workload.selectorLabels } }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-training' } }, podSelector: { matchLabels: { app: 'materializer' } } }],
        ports: [{ protocol: 'TCP', port: 6379 }],
      },
    ]);
  });

  test.each([Profile.kind(), Profile.gke(), Profile.eks(), Profile.aks()].map((p) => [p.name, p]))('%s: passes the schema and policy gates', (_, profile) => {
    const { chart: c, server } = redis(profile as Profile, { mode: RedisMode.replicated(3) });
    server.allowFrom({ namespace: 'ml-features', podSelector: { app: 'x' } });
    const report = runGates(synth(c) as any, { kubeVersion: String((profile as Profile).kubeVersion) });
    expect(report.errors).toEqual([]);
  });
});

/** A directory with fake `redis-server`/`redis-cli` that record what they were given. */
function fakeBin(redisCli: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-fake-'));
  fs.writeFileSync(path.join(dir, 'redis-server'), '#!/bin/sh\necho "redis-server $*"\ncat "$REDIS_RUNTIME_CONF"\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'redis-cli'), `#!/bin/sh\n${redisCli}\n`, { mode: 0o755 });
  return dir;
}

function run(shell: readonly string[], script: string, env: Record<string, string>, args: string[] = []) {
  const result = spawnSync(shell[0], [...shell.slice(1), path.join(SCRIPTS, script), ...args], {
    env: { PATH: `${env.PATH}:/usr/bin:/bin`, ...Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'PATH')) },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describeEachShell('redis-start.sh under %s', (shell) => {
  const bin = fakeBin('exit 0');
  const runtime = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'redis-rt-')), 'runtime.conf');
  const base = { PATH: bin, REDIS_CONF: '/etc/redis/redis.conf', REDIS_PRIMARY_HOST: 'cache-0.cache-headless.ml-features.svc.cluster.local' };

  test('ordinal 0 is the primary: password only, then exec redis-server on the static config', () => {
    const r = run(shell, 'redis-start.sh', { ...base, POD_NAME: 'cache-0', REDIS_PASSWORD: 's3cret', REDIS_RUNTIME_CONF: runtime() });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('redis-server /etc/redis/redis.conf\nrequirepass "s3cret"\nmasterauth "s3cret"\n');
  });

  test('other ordinals replicate the primary by its stable name', () => {
    const r = run(shell, 'redis-start.sh', { ...base, POD_NAME: 'cache-2', REDIS_PASSWORD: 's3cret', REDIS_PRIMARY_PORT: '6380', REDIS_RUNTIME_CONF: runtime() });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\nreplicaof cache-0.cache-headless.ml-features.svc.cluster.local 6380\n');
  });

  test('POD_INDEX wins over the pod name', () => {
    const r = run(shell, 'redis-start.sh', { ...base, POD_NAME: 'cache-0', POD_INDEX: '1', REDIS_PASSWORD: 'p', REDIS_RUNTIME_CONF: runtime() });
    expect(r.stdout).toContain('replicaof ');
  });

  test('quotes and backslashes in the password are escaped for redis.conf', () => {
    const r = run(shell, 'redis-start.sh', { ...base, POD_NAME: 'cache-0', REDIS_PASSWORD: 'a"b\\c$d', REDIS_RUNTIME_CONF: runtime() });
    expect(r.stdout).toContain('requirepass "a\\"b\\\\c$d"\n');
  });

  test('refuses to start without a password, with a line break in it, or without an ordinal', () => {
    expect(run(shell, 'redis-start.sh', { ...base, POD_NAME: 'cache-0', REDIS_RUNTIME_CONF: runtime() })).toMatchObject({
      status: 1, stdout: '', stderr: 'redis-start: REDIS_PASSWORD is empty: refusing to start a server without a password\n' });
    expect(run(shell, 'redis-start.sh', { ...base, POD_NAME: 'cache-0', REDIS_PASSWORD: 'pw\n', REDIS_RUNTIME_CONF: runtime() }).stderr)
      .toMatch(/^redis-start: the password contains a line break/);
    expect(run(shell, 'redis-start.sh', { ...base, POD_NAME: 'cache', REDIS_PASSWORD: 'p', REDIS_RUNTIME_CONF: runtime() }).stderr)
      .toBe("redis-start: cannot derive the pod ordinal from POD_INDEX='' or pod name 'cache'\n");
    const { REDIS_PRIMARY_HOST: _, ...noPrimary } = base;
    expect(run(shell, 'redis-start.sh', { ...noPrimary, POD_NAME: 'cache-1', REDIS_PASSWORD: 'p', REDIS_RUNTIME_CONF: runtime() }).stderr)
      .toBe('redis-start: pod ordinal 1 is a replica but REDIS_PRIMARY_HOST is not set\n');
  });

  test('the runtime file is readable by the server user only', () => {
    const file = runtime();
    run(shell, 'redis-start.sh', { ...base, POD_NAME: 'cache-0', REDIS_PASSWORD: 'p', REDIS_RUNTIME_CONF: file });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});

describeEachShell('redis-probe.sh under %s', (shell) => {
  // A fake redis-cli answering `ping` and `info replication` as a given server would.
  const cli = (ping: string, info: string) => fakeBin(
    `[ "$REDISCLI_AUTH" = pw ] || { echo 'NOAUTH Authentication required.'; exit 0; }\n` +
    `case "$*" in *ping) printf '%s\\n' '${ping}' ;; *"info replication") printf '${info}' ;; esac`);
  const probe = (bin: string, mode: string, password = 'pw') => run(shell, 'redis-probe.sh', { PATH: bin, REDIS_PASSWORD: password }, [mode]).status;

  test('a primary is live and ready', () => {
    const bin = cli('PONG', '# Replication\\r\\nrole:master\\r\\nconnected_slaves:2\\r\\n');
    expect([probe(bin, 'liveness'), probe(bin, 'readiness')]).toEqual([0, 0]);
  });

  test('a replica is ready only once linked to its primary', () => {
    expect(probe(cli('PONG', 'role:slave\\r\\nmaster_link_status:down\\r\\n'), 'readiness')).toBe(1);
    expect(probe(cli('PONG', 'role:slave\\r\\nmaster_link_status:down\\r\\n'), 'liveness')).toBe(0);
    expect(probe(cli('PONG', 'role:slave\\r\\nmaster_link_status:up\\r\\n'), 'readiness')).toBe(0);
  });

  test('loading the AOF is live but not ready', () => {
    const bin = cli('LOADING Redis is loading the dataset in memory', '');
    expect([probe(bin, 'liveness'), probe(bin, 'readiness')]).toEqual([0, 1]);
  });

  test('a wrong password fails both probes; an unknown mode is a usage error', () => {
    const bin = cli('PONG', 'role:master');
    expect([probe(bin, 'liveness', 'nope'), probe(bin, 'readiness', 'nope')]).toEqual([1, 1]);
    expect(probe(bin, 'startup')).toBe(2);
  });
});

test('objects carry explicit names only', () => {
  const objects: Manifest[] = synth(redis(Profile.kind(), { mode: RedisMode.replicated(2) }).chart);
  expect(objects.filter((o) => o.kind !== 'StorageClass').map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
    'ConfigMap/cache-config', 'PodDisruptionBudget/cache', 'Service/cache-headless', 'StatefulSet/cache']);
});
