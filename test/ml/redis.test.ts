import { spawnSync } from 'child_process';
import * as path from 'path';
import { MaxMemoryPolicy, Profile, RedisMode, RedisServer, RedisUsers, ServerTls, StorageClassPack } from '../../lib';
import { defaultMaxmemoryBytes, feastRedisUser, redisBytes } from '../../lib/ml';
import { Manifest, all, find, newChart, selects, synth } from '../support/synth';
import { expectGatesPass } from '../support/gates';
import { renderedScript, renderedScriptDir } from '../support/scripts';
import { describeEachShell } from '../support/shells';

const SCRIPTS = renderedScriptDir(...['redis-lib.sh', 'redis-start.sh', 'redis-probe.sh', 'sentinel-start.sh'].map((s) => `ml/scripts/${s}`));

function redis(profile: Profile = Profile.kind(), extra: Partial<ConstructorParameters<typeof RedisServer>[2]> = {}) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'pack');
  const server = new RedisServer(chart, 'redis', {
    name: 'cache', namespace: 'ml-features', users: RedisUsers.fromSecret('cache-auth'), clients: [feastRedisUser('shop')],
    storage: { tier: pack.iops, size: '20Gi' }, resources: { memory: '8Gi' }, ...extra,
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

  test('listens with protected mode on and takes users and roles from the runtime include, never literally', () => {
    expect(conf).toContain('protected-mode yes');
    expect(conf).toContain('bind * -::*');
    expect(conf).toContain('port 6379');
    expect(conf[conf.length - 2]).toBe('include /run/redis/runtime.conf');
    expect(server.redisConf).not.toMatch(/^\s*(requirepass|masterauth|masteruser|user|replicaof)\b/m);
  });

  test('AOF durability settings are explicit', () => {
    expect(conf).toEqual(expect.arrayContaining([
      'appendonly yes', 'appendfsync everysec', 'no-appendfsync-on-rewrite no', 'aof-load-truncated yes',
      'aof-use-rdb-preamble yes', 'repl-diskless-load disabled',
    ]));
  });

  test('redis byte units and the 75% rule', () => {
    expect(redisBytes(6 * 2 ** 30)).toBe('6gb');
    expect(redisBytes(768 * 2 ** 20)).toBe('768mb');
    expect(redisBytes(1000)).toBe('1000');
    expect(defaultMaxmemoryBytes('1Gi')).toBe(768 * 2 ** 20);
    expect(defaultMaxmemoryBytes('1G')).toBe(715 * 2 ** 20); // rounded down to whole MiB
  });

  test('resources: CPU is passed through; maxmemory follows the memory limit, which defaults to the request', () => {
    const { server: s, chart } = redis(Profile.kind(), { resources: { cpu: '500m', memory: '4Gi', memoryLimit: '8Gi' } });
    expect(s.maxmemoryBytes).toBe(6 * 2 ** 30);
    const resources = find(synth(chart), 'StatefulSet', 'cache').spec.template.spec.containers[0].resources;
    expect(resources).toMatchObject({ requests: { cpu: '500m', memory: '4Gi' }, limits: { memory: '8Gi' } });
    expect(redis(Profile.kind(), { resources: undefined }).server.maxmemoryBytes).toBe(768 * 2 ** 20);
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
    const value = (name: string) => env.find((e: any) => e.name === name).value;
    expect(value('REDIS_MODE')).toBe('replicated');
    const members = value('REDIS_MEMBERS').split(' ');
    expect(members).toEqual([0, 1, 2].map((i) => `cache-${i}.cache-headless.ml-features.svc.cluster.local:6379`));
    const primary = members[0].split(':')[0];
    // Replicas resolve members that are not Ready yet (still syncing).
    expect(find(objects, 'Service', 'cache-headless').spec.publishNotReadyAddresses).toBe(true);
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
    expect(envNames(Profile.kind())).toEqual([
      'REDIS_PASSWORD_ADMIN', 'REDIS_PASSWORD_REPLICATION', 'REDIS_PASSWORD_SENTINEL', 'REDIS_PASSWORD_PROBE', 'REDIS_PASSWORD_FEAST',
      'POD_NAME', 'POD_INDEX', 'REDIS_PORT', 'REDIS_MODE', 'REDIS_MEMBERS', 'REDIS_CONF', 'REDIS_ACL_USERS', 'REDIS_RUNTIME_CONF']);
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
    expect(Object.keys(cm.data).sort()).toEqual(['redis-lib.sh', 'redis-probe.sh', 'redis-start.sh', 'redis.conf', 'users.acl']);
    for (const script of ['redis-lib.sh', 'redis-start.sh', 'redis-probe.sh']) {
      expect(cm.data[script]).toBe(renderedScript(`ml/scripts/${script}`));
    }
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'cache-config', defaultMode: 0o444 } });
    expect(container.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'data', mountPath: '/data' }, { name: 'config', mountPath: '/etc/redis', readOnly: true }, { name: 'w-run-redis', mountPath: '/run/redis' }]));
  });

  test('every user password is its own key of the Secret, by reference; no Secret is synthesized', () => {
    const refs = container.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]);
    expect(refs).toEqual([
      ['REDIS_PASSWORD_ADMIN', 'cache-auth', 'admin-password'],
      ['REDIS_PASSWORD_REPLICATION', 'cache-auth', 'replication-password'],
      ['REDIS_PASSWORD_SENTINEL', 'cache-auth', 'sentinel-password'],
      ['REDIS_PASSWORD_PROBE', 'cache-auth', 'probe-password'],
      ['REDIS_PASSWORD_FEAST', 'cache-auth', 'feast-password'],
    ]);
    expect(all(objects, 'Secret')).toEqual([]);
  });

  test('users.acl: the start script reads each user, its env var and its rules; no password in it', () => {
    const acl = find(objects, 'ConfigMap', 'cache-config').data['users.acl'].split('\n').filter((l: string) => l && !l.startsWith('#'));
    expect(acl).toEqual([
      'admin REDIS_PASSWORD_ADMIN ~* &* +@all',
      'replication REDIS_PASSWORD_REPLICATION resetchannels -@all +psync +replconf +ping',
      'sentinel REDIS_PASSWORD_SENTINEL &* -@all +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill',
      'probe REDIS_PASSWORD_PROBE resetchannels -@all +ping +info',
      'feast REDIS_PASSWORD_FEAST resetchannels ~*shop -@all +auth +hello +ping +client|setname +role +hmget +hget +hgetall +hkeys +hset +hdel +expire +exists +del +unlink +scan',
      'default - off resetpass -@all',
    ]);
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
    expectGatesPass(synth(c), profile);
  });
});

test('objects carry explicit names only', () => {
  const objects: Manifest[] = synth(redis(Profile.kind(), { mode: RedisMode.replicated(2) }).chart);
  expect(objects.filter((o) => o.kind !== 'StorageClass').map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
    'ConfigMap/cache-config', 'PodDisruptionBudget/cache', 'Service/cache-headless', 'StatefulSet/cache']);
});

describe('sentinel mode', () => {
  const { chart, server } = redis(Profile.gke(), { mode: RedisMode.sentinel() });
  server.allowFrom({ namespace: 'ml-serving', podSelector: { app: 'model' } });
  const objects = synth(chart);
  const data = find(objects, 'StatefulSet', 'cache');
  const sentinels = find(objects, 'StatefulSet', 'cache-sentinel');
  const envOf = (sts: Manifest) => Object.fromEntries(sts.spec.template.spec.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));

  test('three data pods and three Sentinels, started in parallel, spread like the data pods', () => {
    expect(data.spec.replicas).toBe(3);
    expect(sentinels.spec.replicas).toBe(3);
    expect([data.spec.podManagementPolicy, sentinels.spec.podManagementPolicy]).toEqual(['Parallel', 'Parallel']);
    const spread = (sts: Manifest) => sts.spec.template.spec.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable]);
    expect(spread(sentinels)).toEqual(spread(data));
    expect(sentinels.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey)
      .toBe('kubernetes.io/hostname');
    expect(sentinels.spec.template.spec.containers[0].command).toEqual(['sh', '/etc/redis/sentinel-start.sh']);
    expect(sentinels.spec.volumeClaimTemplates).toBeUndefined();
  });

  test('the Sentinel PDB keeps a quorum: 1 of 3 may be evicted', () => {
    expect(RedisMode.sentinel().quorum).toBe(2);
    expect(find(objects, 'PodDisruptionBudget', 'cache-sentinel').spec.maxUnavailable).toBe(1);
    expect(RedisMode.sentinel({ sentinels: 5 }).sentinelMaxUnavailable).toBe(2);
  });

  test('data pods and Sentinels know every member by its stable DNS name; Sentinels resolve and announce hostnames', () => {
    const members = [0, 1, 2].map((i) => `cache-${i}.cache-headless.ml-features.svc.cluster.local:6379`).join(' ');
    const sentinelMembers = [0, 1, 2].map((i) => `cache-sentinel-${i}.cache-sentinel-headless.ml-features.svc.cluster.local:26379`).join(' ');
    expect(envOf(data)).toMatchObject({ REDIS_MODE: 'sentinel', REDIS_MEMBERS: members, REDIS_SENTINELS: sentinelMembers, REDIS_MASTER_NAME: 'mymaster' });
    expect(envOf(sentinels)).toMatchObject({
      REDIS_MEMBERS: members, REDIS_SENTINELS: sentinelMembers, REDIS_MASTER_NAME: 'mymaster',
      SENTINEL_QUORUM: '2', SENTINEL_DOWN_AFTER_MS: '5000', SENTINEL_FAILOVER_TIMEOUT_MS: '60000', REDIS_PORT: '26379',
    });
    expect(server.sentinelAddresses.join(' ')).toBe(sentinelMembers);
    const conf = find(objects, 'ConfigMap', 'cache-config').data['sentinel.conf'];
    expect(conf).toContain('sentinel resolve-hostnames yes\nsentinel announce-hostnames yes\n');
    expect(conf).not.toMatch(/sentinel (monitor|auth-pass|sentinel-pass)/);
    expect(find(objects, 'Service', 'cache-sentinel-headless').spec.publishNotReadyAddresses).toBe(true);
  });

  test('the Sentinel users: Sentinel peers and admin in full, probe PING/INFO, anonymous primary discovery only', () => {
    const acl = find(objects, 'ConfigMap', 'cache-config').data['sentinel-users.acl'].split('\n').filter((l: string) => l && !l.startsWith('#'));
    expect(acl).toEqual([
      'admin REDIS_PASSWORD_ADMIN ~* &* +@all',
      'sentinel REDIS_PASSWORD_SENTINEL ~* &* +@all',
      'probe REDIS_PASSWORD_PROBE resetchannels -@all +ping +info',
      'default - on nopass resetchannels -@all +ping +hello +client|setname +sentinel|get-master-addr-by-name +sentinel|masters ' +
        '+sentinel|master +sentinel|slaves +sentinel|replicas +sentinel|sentinels',
    ]);
    expect(sentinels.spec.template.spec.containers[0].env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.name))
      .toEqual(['REDIS_PASSWORD_ADMIN', 'REDIS_PASSWORD_SENTINEL', 'REDIS_PASSWORD_PROBE']);
  });

  test('allowFrom admits the client to both ports; data pods and Sentinels reach each other', () => {
    const dataPolicy = find(objects, 'NetworkPolicy', 'cache');
    const sentinelPolicy = find(objects, 'NetworkPolicy', 'cache-sentinel');
    const sources = (policy: Manifest) => policy.spec.ingress.map((r: any) => [r.from[0].podSelector?.matchLabels?.['app.kubernetes.io/name'] ?? r.from[0].podSelector?.matchLabels?.app, r.ports?.[0]?.port]);
    expect(sources(dataPolicy)).toEqual(expect.arrayContaining([['redis', undefined], ['redis-sentinel', 6379], ['model', 6379]]));
    expect(sources(sentinelPolicy)).toEqual(expect.arrayContaining([['redis-sentinel', undefined], ['redis', 26379], ['model', 26379]]));
  });

  test('passes the schema and policy gates', () => {
    expectGatesPass(objects, Profile.gke());
  });

  test.each([
    [RedisMode.sentinel({ sentinels: 2 }), 'sentinels 2 is invalid: use an odd number ≥ 3 (3 or 5), so a majority survives the loss of a Sentinel'],
    [RedisMode.sentinel({ servers: 1 }), 'needs at least 2 servers (a primary and a replica)'],
    [RedisMode.sentinel({ masterName: 'my master' }), "masterName 'my master' is invalid"],
    [RedisMode.sentinel({ downAfterSeconds: 0 }), 'downAfterSeconds 0 is invalid: use 1 to 600 seconds'],
  ])('bad sentinel settings: %s', (mode, message) => {
    expect(() => redis(Profile.kind(), { mode })).toThrow(message);
  });
});

describe('TLS', () => {
  test('cert-manager: a Certificate for every Service and pod name, files mounted, plain port closed, gates pass', () => {
    const { chart, server } = redis(Profile.eks(), {
      mode: RedisMode.sentinel(), tls: ServerTls.certManager({ issuer: { name: 'platform-ca' } }),
    });
    const objects = synth(chart);
    const cert = find(objects, 'Certificate', 'cache-tls');
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.spec.secretName).toBe('cache-tls');
    expect(cert.spec.issuerRef).toEqual({ name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining([
      'cache-headless', 'cache-headless.ml-features.svc.cluster.local', 'cache-0.cache-headless.ml-features.svc.cluster.local',
      'cache-2.cache-headless.ml-features.svc.cluster.local', 'cache-sentinel-1.cache-sentinel-headless.ml-features.svc.cluster.local',
    ]));
    const conf = find(objects, 'ConfigMap', 'cache-config').data;
    expect(conf['redis.conf']).toContain('port 0\ntls-port 6379\ntls-cert-file /etc/tls/tls.crt\ntls-key-file /etc/tls/tls.key\ntls-ca-cert-file /etc/tls/ca.crt\n');
    expect(conf['redis.conf']).toContain('tls-replication yes');
    // Sentinels: plain 26379 answers anonymous discovery only (Feast does not send TLS to Sentinels); peers use TLS on 26380.
    expect(conf['sentinel.conf']).toContain('port 26379\n# TLS for Sentinel peers, the servers and operators; the plain port above only answers discovery.\ntls-port 26380\n');
    expect(find(objects, 'StatefulSet', 'cache-sentinel').spec.template.spec.containers[0].env).toContainEqual({ name: 'REDIS_PORT', value: '26380' });
    expect(find(objects, 'StatefulSet', 'cache').spec.template.spec.containers[0].env.find((e: any) => e.name === 'REDIS_SENTINELS').value)
      .toMatch(/^cache-sentinel-0\.cache-sentinel-headless\.ml-features\.svc\.cluster\.local:26380 /);
    expect(server.sentinelAddresses[0]).toBe('cache-sentinel-0.cache-sentinel-headless.ml-features.svc.cluster.local:26379');
    for (const name of ['cache', 'cache-sentinel']) {
      const pod = find(objects, 'StatefulSet', name).spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'cache-tls', defaultMode: 0o440, items: [
        { key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }, { key: 'ca.crt', path: 'ca.crt' }] } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/tls', readOnly: true });
      expect(pod.containers[0].env).toContainEqual({ name: 'REDIS_TLS_CA_FILE', value: '/etc/tls/ca.crt' });
    }
    expect(server.tls!.ca).toEqual({ secretName: 'cache-tls', key: 'ca.crt' });
    expectGatesPass(objects, Profile.eks());
  });

  test('an existing Secret with its own keys: no Certificate, the keys mapped to fixed file names', () => {
    const { chart } = redis(Profile.kind(), { tls: ServerTls.existingSecret('my-tls', { certKey: 'cert.pem', keyKey: 'key.pem', caKey: 'chain.pem' }) });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'Certificate')).toEqual([]);
    expect(find(objects, 'StatefulSet', 'cache').spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'my-tls', defaultMode: 0o440, items: [
      { key: 'cert.pem', path: 'tls.crt' }, { key: 'key.pem', path: 'tls.key' }, { key: 'chain.pem', path: 'ca.crt' }] } });
  });
});

describe('client users', () => {
  test.each([
    [{ name: 'admin', passwordKey: 'k', commands: ['get'], keyPatterns: ['*'] }, "Redis user name 'admin' is reserved for the built-in users"],
    [{ name: 'a b', passwordKey: 'k', commands: ['get'], keyPatterns: ['*'] }, "Redis user name 'a b' is invalid"],
    [{ name: 'app', passwordKey: 'k', commands: ['GET all'], keyPatterns: ['*'] }, "Redis user 'app': command 'GET all' is not a lower-case command"],
    [{ name: 'app', passwordKey: 'k', commands: ['get'], keyPatterns: ['a b'] }, "Redis user 'app': key pattern 'a b' is empty or contains white space"],
  ])('bad client user %#', (client, message) => {
    expect(() => redis(Profile.kind(), { clients: [client] })).toThrow(message);
  });
});

describeEachShell('redis-start.sh and sentinel-start.sh under %s: the pod ordinal (prelude.sh pod_ordinal, through redis-lib.sh)', (shell) => {
  const start = (script: string, env: Record<string, string>) =>
    spawnSync(shell[0], [...shell.slice(1), path.join(SCRIPTS, script)], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' });

  test.each(['redis-start.sh', 'sentinel-start.sh'])('%s refuses a pod name without an ordinal, before anything else', (script) => {
    const run = start(script, { POD_NAME: 'cache' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`${script.replace('.sh', '')}: cannot derive the pod ordinal from POD_INDEX='' or pod name 'cache'\n`);
  });

  test.each(['redis-start.sh', 'sentinel-start.sh'])('%s takes the ordinal from POD_INDEX over the name, then checks the rest', (script) => {
    const run = start(script, { POD_NAME: 'cache', POD_INDEX: '2' });
    expect(run.status).toBe(1);
    expect(run.stderr).not.toContain('cannot derive the pod ordinal');
    expect(run.stderr).toMatch(/REDIS_MEMBERS is not set/);
  });
});
