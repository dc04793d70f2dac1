import { Chart } from 'cdk8s';
import {
  AddDatabaseOptions, Credentials, ServerTls, DatabaseGrant, FeatureStore, FeatureStoreProps, IDatabase, IPeerable, Profile,
  NetworkPeer, RedisMode, Registry, StorageClassPack, WorkloadPeer, WorkloadService,
} from '../../lib';
import { feastProjectProblem } from '../../lib/ml';
import { k8s } from '../../lib/k8s';
import { gkeWithShared } from '../support/clusters';
import { Manifest, all, find, newChart, selects, synth } from '../support/synth';
import { expectGatesPass } from '../support/gates';

/** A database server as the IDatabase contract describes it, recording what consumers ask of it. */
class FakeDatabase implements IDatabase {
  public readonly family = 'postgres' as const;
  public readonly namespace = 'ml-db';
  public readonly primaryHost = 'postgres-0.postgres-headless.ml-db.svc.cluster.local';
  public readonly port = 5432;
  public readonly credentials = Credentials.existingSecret('postgres-superuser');
  public readonly readWriteService: WorkloadService;
  public readonly grants: DatabaseGrant[] = [];
  public readonly admitted: WorkloadPeer[] = [];

  constructor(chart: Chart) {
    const resource = new k8s.KubeService(chart, 'postgres-rw', { metadata: { name: 'postgres-rw', namespace: 'ml-db' }, spec: { selector: { app: 'postgres' }, ports: [{ port: 5432 }] } });
    this.readWriteService = { name: 'postgres-rw', namespace: 'ml-db', host: 'postgres-rw.ml-db.svc.cluster.local', ports: [{ port: 5432 }], selector: { app: 'postgres' }, resource };
  }

  public addDatabase(name: string, options: AddDatabaseOptions = {}): DatabaseGrant {
    const user = options.user ?? name;
    const grant: DatabaseGrant = {
      family: 'postgres', database: name, user,
      credentials: options.credentials ?? Credentials.existingSecret(`postgres-${name}`),
      host: this.readWriteService.host, port: this.port,
      sqlalchemyUrl: (env) => `postgresql://${user}:$(${env})@${this.readWriteService.host}:${this.port}/${name}`,
    };
    this.grants.push(grant);
    return grant;
  }

  public allowFrom(peer: IPeerable | WorkloadPeer): void {
    this.admitted.push('asPeer' in peer ? peer.asPeer() : peer);
  }

  public asPeer(): WorkloadPeer {
    return { namespace: this.namespace, podSelector: { app: 'postgres' } };
  }
}

type Overrides = Partial<Omit<FeatureStoreProps, 'online'>> & { online?: Partial<FeatureStoreProps['online']> };

function build(profile: Profile = Profile.kind(), overrides: (pack: StorageClassPack, chart: Chart) => Overrides = () => ({})) {
  const { app, chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'pack');
  // The database server lives in its own chart: only its contract matters here.
  const db = new FakeDatabase(new Chart(app, 'db'));
  const o = overrides(pack, chart);
  const store = new FeatureStore(chart, 'feast', {
    namespace: 'ml-features', project: 'ml_features',
    registry: Registry.sql(db),
    featureServer: { replicas: 2 },
    ...o,
    online: { mode: RedisMode.replicated(3), storage: { tier: pack.iops, size: '100Gi' }, resources: { memory: '8Gi' }, ...o.online },
  });
  return { chart, store, db, pack };
}

describe('online store with Sentinel failover and TLS', () => {
  const { chart, store } = build(Profile.gke(), () => ({
    online: { mode: RedisMode.sentinel({ masterName: 'features' }) },
    tls: ServerTls.certManager({ issuer: { name: 'platform-ca' } }),
  }));
  const objects = synth(chart);
  const yaml = find(objects, 'ConfigMap', 'feast-server-config').data['feature_store.yaml'];
  const pod = find(objects, 'Deployment', 'feast-server').spec.template.spec;

  test('Feast asks the Sentinels (discovery port) for the primary of its master name, then logs in to it as the Feast user over TLS', () => {
    const sentinels = [0, 1, 2].map((i) => `feast-redis-sentinel-${i}.feast-redis-sentinel-headless.ml-features.svc.cluster.local:26379`);
    expect(yaml).toContain([
      'online_store:',
      '  type: redis',
      '  redis_type: redis_sentinel',
      "  sentinel_master: 'features'",
      `  connection_string: '${sentinels.join(',')},username=feast,password=\${REDIS_PASSWORD},ssl=true,ssl_ca_certs=/etc/tls/ca.crt'`,
    ].join('\n'));
    expect(store.redis.sentinelAddresses).toEqual(sentinels);
  });

  test('the feature server mounts only the CA of the Redis certificate', () => {
    expect(pod.volumes).toContainEqual({ name: 'redis-ca', secret: { secretName: 'feast-redis-tls', defaultMode: 0o444, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'redis-ca', mountPath: '/etc/tls', readOnly: true });
  });

  test('the Feast user may touch only its project keys; Sentinels admit the feature server', () => {
    const acl = find(objects, 'ConfigMap', 'feast-redis-config').data['users.acl'];
    expect(acl).toMatch(/^feast REDIS_PASSWORD_FEAST resetchannels ~\*ml_features -@all /m);
    const policy = find(objects, 'NetworkPolicy', 'feast-redis-sentinel');
    expect(policy.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-features' } }, podSelector: { matchLabels: store.serverSelector } }],
      ports: [{ protocol: 'TCP', port: 26379 }],
    });
  });
});

test('featureServer.resources size the feature server container', () => {
  const { chart } = build(Profile.kind(), () => ({ featureServer: { replicas: 2, resources: { cpu: '2', memory: '4Gi', memoryLimit: '6Gi' } } }));
  const container = find(synth(chart), 'Deployment', 'feast-server').spec.template.spec.containers[0];
  expect(container.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '6Gi' } });
});

describe('feature_store.yaml with a SQL registry', () => {
  const { chart, store, db } = build();
  const objects = synth(chart);
  const deployment = find(objects, 'Deployment', 'feast-server');
  const container = deployment.spec.template.spec.containers[0];

  test('is generated exactly, with no secret in it', () => {
    expect(find(objects, 'ConfigMap', 'feast-server-config').data['feature_store.yaml']).toBe([
      '# Generated by cdk8s-stateful-ml for test/feast. Edit the construct, not this file.',
      "project: 'ml_features'",
      'provider: local',
      'registry:',
      '  registry_type: sql',
      "  path: '${FEAST_REGISTRY_URL}'",
      '  cache_ttl_seconds: 60',
      '  sqlalchemy_config_kwargs:',
      '    echo: false',
      '    pool_pre_ping: true',
      'online_store:',
      '  type: redis',
      '  redis_type: redis',
      "  connection_string: 'feast-redis-0.feast-redis-headless.ml-features.svc.cluster.local:6379,username=feast,password=${REDIS_PASSWORD}'",
      'entity_key_serialization_version: 2',
      '',
    ].join('\n'));
    expect(store.featureStoreYaml).toBe(find(objects, 'ConfigMap', 'feast-server-config').data['feature_store.yaml']);
  });

  test('the connection string names the Redis primary, a pod the headless Service governs', () => {
    const sts = find(objects, 'StatefulSet', 'feast-redis');
    const [pod, service, namespace] = store.onlineStoreHost.split('.');
    expect(pod).toBe('feast-redis-0');
    expect(service).toBe(sts.spec.serviceName);
    expect(namespace).toBe(sts.metadata.namespace);
    expect(selects(find(objects, 'Service', service).spec.selector, sts.spec.template.metadata.labels)).toBe(true);
  });

  test('the registry gets its own database and user; its password is bound in the features namespace', () => {
    expect(db.grants.map((g) => [g.database, g.user])).toEqual([['feast', 'feast']]);
    expect(db.grants[0].credentials.namespaces).toEqual(['ml-features']);
    expect(store.registry.kind).toBe('sql');
  });

  test('env: secrets by reference, the registry URL (with the psycopg 3 driver Feast ships) interpolating the password defined before it', () => {
    expect(container.env).toEqual([
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'feast-redis', key: 'feast-password' } } },
      { name: 'FEAST_REGISTRY_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-feast', key: 'password' } } },
      { name: 'FEAST_REGISTRY_URL', value: 'postgresql+psycopg://feast:$(FEAST_REGISTRY_DB_PASSWORD)@postgres-rw.ml-db.svc.cluster.local:5432/feast' },
      { name: 'FEAST_USAGE', value: 'False' },
      { name: 'HOME', value: '/tmp' },
      { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
    ]);
    expect(all(objects, 'Secret')).toEqual([]);
  });

  test('runs feast serve on the mounted config with a pinned image and probes on the named port', () => {
    expect(container.image).toBe('feastdev/feature-server:0.40.1');
    expect(container.command).toEqual(['feast', '--chdir', '/etc/feast', 'serve', '--host', '0.0.0.0', '--port', '6566', '--registry_ttl_sec', '60', '--no-access-log']);
    expect(container.volumeMounts).toEqual([{ name: 'config', mountPath: '/etc/feast', readOnly: true }, { name: 'w-tmp', mountPath: '/tmp' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 6566, protocol: 'TCP' }]);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  test('Service and PDB select the feature server pods; rolling updates never drop below the replica count', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const service = find(objects, 'Service', 'feast-server');
    expect(selects(service.spec.selector, labels)).toBe(true);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 6566, targetPort: 'http', protocol: 'TCP' }]);
    expect(store.url).toBe('http://feast-server.ml-features.svc.cluster.local:6566');
    const pdb = find(objects, 'PodDisruptionBudget', 'feast-server');
    expect(selects(pdb.spec.selector.matchLabels, labels)).toBe(true);
    expect(pdb.spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    // The Redis pods are not selected by the feature server's objects, nor the other way round.
    expect(selects(service.spec.selector, find(objects, 'StatefulSet', 'feast-redis').spec.template.metadata.labels)).toBe(false);
  });

  test('spread: preferred anti-affinity on nodes and zone spread over the server pods', () => {
    const spec = deployment.spec.template.spec;
    expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm).toEqual({
      labelSelector: { matchLabels: store.serverSelector }, topologyKey: 'kubernetes.io/hostname' });
    expect(spec.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' });
  });

  test('network: Redis admits the feature server on 6379, the database admits it too', () => {
    const policy = find(objects, 'NetworkPolicy', 'feast-redis');
    const rule = policy.spec.ingress.find((r: any) => r.ports?.some((p: any) => p.port === 6379));
    expect(selects(rule.from[0].podSelector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
    expect(rule.from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'ml-features' });
    expect(db.admitted).toEqual([{ namespace: 'ml-features', podSelector: store.serverSelector }]);
  });

  test('a changed feature_store.yaml rolls the server pods', () => {
    const other = find(synth(build(Profile.kind(), () => ({ project: 'other_project' })).chart), 'Deployment', 'feast-server');
    expect(other.spec.template.metadata.annotations['ml.cdk8s.io/config-hash'])
      .not.toBe(deployment.spec.template.metadata.annotations['ml.cdk8s.io/config-hash']);
  });
});

describe('file registry', () => {
  test('a claim mounted by one server pod, replaced with Recreate (a ReadWriteOnce claim cannot attach twice)', () => {
    const { chart, store } = build(Profile.kind(), (pack) => ({ registry: Registry.file({ tier: pack.standard, size: '5Gi' }), featureServer: undefined }));
    const objects = synth(chart);
    const claim = find(objects, 'PersistentVolumeClaim', 'feast-registry');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'ml-standard-v1', resources: { requests: { storage: '5Gi' } } });
    const deployment = find(objects, 'Deployment', 'feast-server');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'registry', persistentVolumeClaim: { claimName: 'feast-registry' } });
    expect(deployment.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'registry', mountPath: '/var/lib/feast' });
    expect(store.featureStoreYaml).toContain("registry:\n  registry_type: file\n  path: '/var/lib/feast/registry.db'\n  cache_ttl_seconds: 60\nonline_store:");
  });

  test('on a ReadWriteMany tier several servers share it', () => {
    const { chart } = build(gkeWithShared(), (pack) => ({ registry: Registry.file({ tier: pack.shared }) }));
    const deployment = find(synth(chart), 'Deployment', 'feast-server');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.type).toBe('RollingUpdate');
  });
});

describe('bad input fails synth with a clear message', () => {
  const errorOf = (overrides: (pack: StorageClassPack) => Overrides) => {
    try {
      synth(build(Profile.kind(), overrides).chart);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  test('a project name Feast would reject', () => {
    expect(errorOf(() => ({ project: 'ml-features' }))).toContain(
      "[test/feast] Feast project name 'ml-features' is invalid: Feast accepts only letters, digits and underscores, not starting with an underscore (use e.g. 'ml_features').");
    expect(feastProjectProblem('_private')).toBe(
      "Feast project name '_private' is invalid: Feast accepts only letters, digits and underscores, not starting with an underscore (use e.g. 'private')");
    expect(feastProjectProblem('')).toBe(
      "Feast project name '' is invalid: Feast accepts only letters, digits and underscores, not starting with an underscore");
    for (const ok of ['ml_features', 'driver_stats2', 'A1', '1234567890123456']) expect(feastProjectProblem(ok)).toBeUndefined();
  });

  test('a negative key TTL', () => {
    expect(errorOf(() => ({ online: { keyTtlSeconds: -60 } }))).toContain(
      "[test/feast] online.keyTtlSeconds -60 is invalid: use a whole number of seconds ≥ 1, or leave it unset so rows never expire.");
  });

  test('a positive key TTL is rendered', () => {
    const { store } = build(Profile.kind(), () => ({ online: { keyTtlSeconds: 86400 } }));
    expect(store.featureStoreYaml).toContain('  key_ttl_seconds: 86400\n');
  });

  test('maxmemory above the memory limit', () => {
    expect(() => build(Profile.kind(), () => ({ online: { maxmemory: '10Gi' } }))).toThrow(
      "RedisServer 'test/feast/Redis': maxmemory 10Gi is above the container memory limit 8Gi; the kernel would OOM-kill Redis before it enforces its limit. " +
      'Leave maxmemory unset (75% of the limit) or raise memory.');
  });

  test('replicated mode with one server', () => {
    expect(() => build(Profile.kind(), () => ({ online: { mode: RedisMode.replicated(1) } }))).toThrow(
      "RedisServer 'test/feast/Redis': RedisMode.replicated(1) needs at least 2 servers (a primary and a replica); " +
      'use RedisMode.standalone() for a single server or RedisMode.replicated(3) for a primary and two replicas.');
  });

  test('several servers on a ReadWriteOnce file registry', () => {
    expect(errorOf((pack) => ({ registry: Registry.file({ tier: pack.standard }), featureServer: { replicas: 3 } }))).toContain(
      "[test/feast] featureServer.replicas 3 cannot share a file registry on a ReadWriteOnce claim (pods on other nodes cannot attach it): " +
      'use Registry.sql(db), a ReadWriteMany tier, or 1 replica.');
  });

  test('one Registry for two feature stores', () => {
    const { chart, store, pack } = build();
    expect(() => new FeatureStore(chart, 'second', {
      name: 'second', namespace: 'ml-features', project: 'second', registry: store.registry,
      online: { storage: { tier: pack.iops, size: '1Gi' } },
    })).toThrow("A Registry serves one FeatureStore; 'test/second' reuses one: create another Registry.sql(…).");
  });
});

describe.each([Profile.kind(), Profile.gke(), Profile.eks(), Profile.aks()].map((p) => [p.name, p] as const))('%s', (_, profile) => {
  test('passes the schema and policy gates, sql and file registries', () => {
    for (const registry of [undefined, 'file'] as const) {
      const { chart, store } = build(profile, (pack) => (registry === 'file' ? { registry: Registry.file({ tier: pack.standard }), featureServer: { replicas: 1 } } : {}));
      store.allowFrom({ namespace: 'ml-training', podSelector: { app: 'trainer' } });
      const objects: Manifest[] = synth(chart);
      expectGatesPass(objects, profile);
      // The pack's StorageClasses and (Kubernetes 1.34+) VolumeAttributesClasses are the pack's, not the store's.
      expect(objects.filter((o) => o.kind !== 'StorageClass' && o.kind !== 'VolumeAttributesClass').map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
        'ConfigMap/feast-redis-config', 'ConfigMap/feast-server-config', 'Deployment/feast-server',
        'NetworkPolicy/feast-redis', 'NetworkPolicy/feast-server',
        ...(registry === 'file' ? ['PersistentVolumeClaim/feast-registry'] : []),
        'PodDisruptionBudget/feast-redis', 'PodDisruptionBudget/feast-server',
        'Service/feast-redis-headless', 'Service/feast-server', 'StatefulSet/feast-redis',
      ]);
    }
  });
});

test('allowFrom admits clients to the feature server only on its port', () => {
  const { chart, store } = build();
  store.allowFrom({ namespace: 'ml-serving', podSelector: { app: 'model' } });
  const policy = find(synth(chart), 'NetworkPolicy', 'feast-server');
  expect(policy.spec.podSelector.matchLabels).toEqual(store.serverSelector);
  expect(policy.spec.ingress[1]).toEqual({
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-serving' } }, podSelector: { matchLabels: { app: 'model' } } }],
    ports: [{ protocol: 'TCP', port: 6566 }],
  });
});

test('allowFrom and allowOnlineStoreWriter take a whole namespace (NetworkPeer), like the other stores', () => {
  const { chart, store } = build();
  store.allowFrom(NetworkPeer.namespace('ml-serving'));
  store.allowOnlineStoreWriter(NetworkPeer.namespace('ml-batch'));
  const objects = synth(chart);
  const namespaceRule = (ns: string, port: number) => ({
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: {} }],
    ports: [{ protocol: 'TCP', port }],
  });
  expect(find(objects, 'NetworkPolicy', 'feast-server').spec.ingress[1]).toEqual(namespaceRule('ml-serving', 6566));
  expect(find(objects, 'NetworkPolicy', 'feast-redis').spec.ingress).toContainEqual(namespaceRule('ml-batch', 6379));
});
