import { App, Chart } from 'cdk8s';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import {
  NetworkPeer, Probe, Profile, SnapshotClass, SnapshotSchedule, StatefulWorkload, StorageClassPack, WorkloadNamespace,
  WorkloadPeer, renderProfile,
} from '../../lib';
import { NetworkFlows } from '../../lib/stateful';
import { PodModel, connectionAllowed, labelSelectorMatches, podsOf, udpEgressAllowed } from '../support/network-policy';
import { find, synth } from '../support/synth';

type Json = any;
const CONTROLLER_LABELS = ['statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'batch.kubernetes.io/job-completion-index'];

const inPeer = (peer: WorkloadPeer | undefined, pod: PodModel) =>
  !!peer && peer.namespace === pod.namespace && labelSelectorMatches({ matchLabels: peer.podSelector }, pod.labels);

describe.each(referenceProfiles().map((p) => [p.name, p] as const))('flow matrix of the reference platform on %s', (_name, profile) => {
  const app = new App();
  buildPlatform(app, profile);
  const objects = renderProfile(app, profile).objects as Json[];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const pods = podsOf(objects);
  const flows = NetworkFlows.of(app).flows;
  const declared = (client: PodModel, server: PodModel, port: number) => flows.some((f) =>
    inPeer(f.client.pods, client) && inPeer(f.server.pods, server) && (!f.ports.length || f.ports.includes(port)));

  test('every pod runs in a namespace the platform owns, which denies ingress and egress by default', () => {
    const owned = NetworkFlows.of(app).ownedNamespaces;
    expect(pods.length).toBeGreaterThan(8);
    expect(pods.filter((p) => !owned.includes(p.namespace)).map((p) => p.id)).toEqual([]);
    for (const namespace of owned) {
      expect(find(objects.filter((o) => o.metadata.namespace === namespace), 'NetworkPolicy', 'default-deny').spec)
        .toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
  });

  test('between every pair of pods, on every port, a connection is allowed exactly when the wiring declares it', () => {
    const wrong: string[] = [];
    let allowedCount = 0;
    for (const client of pods) {
      for (const server of pods) {
        for (const port of server.ports) {
          const allowed = connectionAllowed(policies, client, server, port);
          if (allowed) allowedCount++;
          if (allowed !== declared(client, server, port)) wrong.push(`${client.id} -> ${server.id}:${port} ${allowed ? 'allowed but not declared' : 'declared but denied'}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(allowedCount).toBeGreaterThanOrEqual(10);
  });

  test('every Service a pod is configured to reach (env, args, mounted config) is reachable on its ports', () => {
    const unreachable: string[] = [];
    for (const client of pods) {
      for (const ref of client.references) {
        const [host, portText] = ref.split(':');
        const [name, namespace] = host.split('.');
        const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === name && o.metadata.namespace === namespace);
        if (!service) continue;
        const selector = Object.fromEntries(Object.entries(service.spec.selector ?? {}).filter(([k]) => !CONTROLLER_LABELS.includes(k)));
        // A selector on a label a controller sets at runtime (Patroni's role) selects the pods that may carry it.
        const targets = pods.filter((p) => p.namespace === namespace && labelSelectorMatches({ matchLabels: Object.fromEntries(
          Object.entries(selector).filter(([k, v]) => !(p.runtimeLabels ?? []).includes(`${k}=${v}`))) }, p.labels));
        expect(targets.length).toBeGreaterThan(0);
        // The Service port named in the reference (`host:9000`), else any of its ports.
        const servicePorts = (service.spec.ports as Json[]).filter((sp) => !portText || sp.port === Number(portText));
        expect([ref, servicePorts.length > 0]).toEqual([ref, true]);
        for (const target of targets) {
          if (target === client) continue;
          const ports = servicePorts.map((sp) => typeof sp.targetPort === 'string' ? target.namedPorts![sp.targetPort] : sp.targetPort ?? sp.port);
          if (!ports.some((port) => connectionAllowed(policies, client, target, port))) unreachable.push(`${client.id} -> ${ref} (${target.id} ports ${ports.join(', ')})`);
        }
      }
    }
    expect(unreachable).toEqual([]);
    // The wiring this check exercises: MLflow's backend, the trainer's tracking server, Feast's registry.
    expect(pods.filter((p) => p.references.length).length).toBeGreaterThanOrEqual(3);
  });

  test('DNS is the only thing every pod may reach; the outside world only where a flow says so', () => {
    const dns: PodModel = { id: 'dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ports: [53], references: [] };
    const outside: PodModel = { id: 'outside', namespace: '', labels: {}, ports: [443], references: [] };
    const stranger: PodModel = { id: 'stranger', namespace: 'default', labels: { app: 'web' }, ports: [80], references: [] };
    for (const pod of pods) {
      expect([pod.id, udpEgressAllowed(policies, pod, dns, 53), connectionAllowed(policies, pod, dns, 53)]).toEqual([pod.id, true, true]);
      expect([pod.id, connectionAllowed(policies, pod, stranger, 80)]).toEqual([pod.id, false]);
      expect([pod.id, connectionAllowed(policies, stranger, pod, pod.ports[0] ?? 80)]).toEqual([pod.id, false]);
      const reachesOut = flows.some((f) => inPeer(f.client.pods, pod) && !f.server.pods && (!f.ports.length || f.ports.includes(443)));
      expect([pod.id, connectionAllowed(policies, pod, outside, 443)]).toEqual([pod.id, reachesOut]);
    }
    // Patroni and the snapshot job talk to the API server (address unknown in the reference profiles: 443 and 6443 anywhere).
    expect(pods.filter((p) => connectionAllowed(policies, p, outside, 443)).map((p) => p.id)).toEqual([
      'StatefulSet ml-db/postgres',
      ...pods.filter((p) => p.id.startsWith('CronJob') && p.labels['app.kubernetes.io/name'] === 'snapshot-schedule').map((p) => p.id),
    ]);
  });

  test('the metrics scraper the profile names reaches the database exporter, and nothing else', () => {
    const prometheus: PodModel = { id: 'prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [], references: [] };
    const reachable = pods.flatMap((p) => p.ports.filter((port) => connectionAllowed(policies, prometheus, p, port)).map((port) => `${p.id}:${port}`));
    expect(reachable).toEqual(['StatefulSet ml-db/postgres:9187']);
  });
});

describe('NetworkFlows', () => {
  function setup(profile = Profile.kind()) {
    const app = new App();
    profile.attachTo(app);
    const chart = new Chart(app, 'c');
    return { app, chart, profile };
  }
  const container = { name: 'app', image: 'redis:7.2.5', ports: [{ name: 'redis', port: 6379 }], readinessProbe: Probe.tcp('redis'), resources: { cpu: '100m', memory: '128Mi' } };

  test('a workload outside an owned namespace stays open until allowFrom; inside one it is restricted from the start', () => {
    const { chart } = setup();
    new StatefulWorkload(chart, 'open', { name: 'open', namespace: 'elsewhere', containers: [container] });
    new WorkloadNamespace(chart, 'ns', { name: 'owned' });
    new StatefulWorkload(chart, 'closed', { name: 'closed', namespace: 'owned', containers: [container] });
    const policies = synth(chart).filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort()).toEqual(
      ['owned/allow-dns', 'owned/closed', 'owned/closed-egress', 'owned/default-deny']);
    expect(find(policies, 'NetworkPolicy', 'closed').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'closed', 'app.kubernetes.io/name': 'closed' } } }] },
    ]);
  });

  test('a namespace declared after its workloads still restricts them and gives their clients egress', () => {
    const { chart } = setup();
    const server = new StatefulWorkload(chart, 'cache', { name: 'cache', namespace: 'late', containers: [container] });
    server.allowFrom({ namespace: 'late', podSelector: { app: 'api' } }, [6379]);
    new WorkloadNamespace(chart, 'ns', { name: 'late' });
    const objects = synth(chart);
    expect(find(objects, 'NetworkPolicy', 'api-egress').spec).toEqual({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'late' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'cache', 'app.kubernetes.io/name': 'cache' } } }],
        ports: [{ protocol: 'TCP', port: 6379 }],
      }],
    });
  });

  test('clients in namespaces the platform does not own get no egress policy (their namespace is not ours to close)', () => {
    const { chart } = setup();
    new WorkloadNamespace(chart, 'ns', { name: 'data' });
    const server = new StatefulWorkload(chart, 'cache', { name: 'cache', namespace: 'data', containers: [container] });
    server.allowFrom(NetworkPeer.namespace('notebooks'), [6379]);
    expect(synth(chart).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'notebooks')).toEqual([]);
  });

  test('API server egress: to the profile\'s endpoint when declared, else 443 and 6443 anywhere', () => {
    for (const [network, expected] of [
      [undefined, [{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }]],
      [{ apiServer: { cidrs: ['172.18.0.2/32'], port: 6443 } }, [{ to: [{ ipBlock: { cidr: '172.18.0.2/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }]],
    ] as const) {
      const profile = Profile.kind({ csiHostpath: true, ...(network ? { network } : {}) });
      const { chart } = setup(profile);
      new WorkloadNamespace(chart, 'ns', { name: 'db' });
      const pack = new StorageClassPack(chart, 'pack', { profile });
      const workload = new StatefulWorkload(chart, 'w', {
        name: 'w', namespace: 'db', containers: [container], volumeClaims: [{ name: 'data', tier: pack.standard, size: '1Gi' }],
      });
      new SnapshotSchedule(chart, 'snap', { target: workload, snapshotClass: new SnapshotClass(chart, 'class', { profile, pack }), schedule: '0 3 * * *' });
      expect(find(synth(chart), 'NetworkPolicy', 'w-snapshots-egress').spec.egress).toEqual(expected);
    }
  });

  test('ClusterNetwork refuses what is not a CIDR, with the fix', () => {
    expect(() => Profile.kind({ network: { apiServer: { cidrs: ['kubernetes.default'] } } }))
      .toThrow("ClusterNetwork: 'kubernetes.default' is not a CIDR such as '172.18.0.2/32'.");
  });

  test('default-deny and DNS policies sync with the namespace (wave 0), before any pod', () => {
    const { app, chart, profile } = setup();
    new WorkloadNamespace(chart, 'ns', { name: 'owned' });
    new StatefulWorkload(chart, 'w', { name: 'w', namespace: 'owned', containers: [container] });
    const objects = renderProfile(app, profile).objects as Json[];
    const wave = (name: string) => find(objects, 'NetworkPolicy', name).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect([wave('default-deny'), wave('allow-dns')]).toEqual(['0', '0']);
  });
});
