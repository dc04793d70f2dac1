import {
  IngressAllowList, NetworkPeer, Probe, Profile, StatefulWorkload, StorageClassPack,
} from '../../lib';
import { k8s } from '../../lib/k8s';
import { all, find, newChart, synth } from '../support/synth';
import { expectGatesPass } from '../support/gates';

function workload(profile: Profile) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage');
  const w = new StatefulWorkload(chart, 'kv', {
    name: 'kv',
    namespace: 'ml-data',
    replicas: 2,
    containers: [{
      name: 'server',
      image: 'example/kv:1.2.3',
      ports: [{ name: 'client', port: 6379 }, { name: 'metrics', port: 9121 }],
      readinessProbe: Probe.tcp('client'),
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    }],
    volumeClaims: [{ name: 'data', tier: pack.fast, size: '20Gi' }],
  });
  return { chart, w, objects: () => synth(chart) };
}

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
const CLOUDS = [Profile.gke(), Profile.eks({ efsFileSystemId: 'fs-0123456789abcdef0' }), Profile.aks()];

describe('NetworkPeer', () => {
  test('a whole namespace renders a namespaceSelector with an empty podSelector, written either way', () => {
    const { w, objects } = workload(Profile.gke());
    w.allowFrom({ namespace: 'ingress-nginx', podSelector: {} }, [6379]);
    w.allowFrom(NetworkPeer.namespace('ingress-nginx'), [9121]);
    w.allowFrom(NetworkPeer.pods({ namespace: 'ml-training', podSelector: { app: 'trainer' } }), [6379]);
    expect(find(objects(), 'NetworkPolicy', 'kv').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: w.selectorLabels } }] },
      // Same source twice: one rule, ports merged.
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: {} }], ports: tcp(6379, 9121) },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-training' } }, podSelector: { matchLabels: { app: 'trainer' } } }],
        ports: tcp(6379),
      },
    ]);
    expect(NetworkPeer.namespace('monitoring').description).toBe("every pod in namespace 'monitoring'");
  });

  test('CIDR peers render an ipBlock (with exceptions); anywhere renders a rule without sources', () => {
    const { w, objects } = workload(Profile.gke());
    w.allowFrom(NetworkPeer.cidr('10.0.0.0/8', ['10.96.0.0/12']), [6379]);
    w.allowFrom(NetworkPeer.cidr('fd00::/8'), [6379]);
    w.allowFrom(NetworkPeer.anywhere(), [9121]);
    expect(find(objects(), 'NetworkPolicy', 'kv').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: w.selectorLabels } }] },
      { ports: tcp(9121) },
      { from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] } }], ports: tcp(6379) },
      { from: [{ ipBlock: { cidr: 'fd00::/8' } }], ports: tcp(6379) },
    ]);
  });

  test('bad peers and ports fail with the value and the fix', () => {
    expect(() => NetworkPeer.cidr('10.0.0.0')).toThrow("NetworkPeer.cidr: '10.0.0.0' is not a CIDR such as '10.0.0.0/8' or 'fd00::/8'.");
    expect(() => NetworkPeer.cidr('10.0.0.0/33')).toThrow("NetworkPeer.cidr: '10.0.0.0/33' is not a CIDR such as '10.0.0.0/8' or 'fd00::/8'.");
    expect(() => NetworkPeer.cidr('10.1.2.3/8')).toThrow("NetworkPeer.cidr: '10.1.2.3/8' has host bits set: use the network address '10.0.0.0/8'.");
    expect(() => NetworkPeer.cidr('10.0.0.0/8', ['nope'])).toThrow("NetworkPeer.cidr: 'nope' is not a CIDR such as '10.0.0.0/8' or 'fd00::/8'.");
    expect(() => NetworkPeer.namespace('Ingress_Nginx')).toThrow(
      "NetworkPeer.namespace: 'Ingress_Nginx' is not a namespace name (a DNS-1123 label of at most 63 characters, e.g. 'ingress-nginx').");
    const { w } = workload(Profile.gke());
    expect(() => w.allowFrom(NetworkPeer.anywhere(), [0, 6379, 70000])).toThrow(
      "IngressAllowList 'test/kv/Ingress': port(s) 0, 70000 must be whole numbers between 1 and 65535.");
  });

  test('IngressAllowList lists what it admits', () => {
    const { chart } = newChart(Profile.kind());
    const list = new IngressAllowList(chart, 'list', { name: 'x', namespace: 'ml-data', podSelector: { app: 'x' } });
    list.allow({ asPeer: () => ({ namespace: 'ml-ops', podSelector: { app: 'backup' } }) }, [5432]);
    list.allow(NetworkPeer.namespace('monitoring'), [9187]);
    expect(list.peers.map((p) => [p.peer.description, p.ports])).toEqual([
      ["pods app=backup in namespace 'ml-ops'", [5432]],
      ["every pod in namespace 'monitoring'", [9187]],
    ]);
  });

  test('allowFromIfRestricted takes any peer and waits for the workload to restrict', () => {
    const { w, objects } = workload(Profile.gke());
    w.allowFromIfRestricted(NetworkPeer.namespace('monitoring'), [9121]);
    expect(all(objects(), 'NetworkPolicy')).toEqual([]);
    w.allowFrom(NetworkPeer.cidr('192.168.0.0/16'), [6379]);
    expect(find(objects(), 'NetworkPolicy', 'kv').spec.ingress.slice(1)).toEqual([
      { from: [{ ipBlock: { cidr: '192.168.0.0/16' } }], ports: tcp(6379) },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: tcp(9121) },
    ]);
  });
});

describe.each(CLOUDS)('internal load balancer on a restricted workload ($name)', (profile) => {
  test('the Service\'s pod ports are admitted from any source; the rest stays restricted', () => {
    const { w, objects } = workload(profile);
    w.allowFrom({ namespace: 'ml-tracking', podSelector: { app: 'mlflow' } }, [6379]);
    w.addClientService({ name: 'kv-lb', internalLoadBalancer: true, ports: [{ name: 'client', port: 16379, targetPort: k8s.IntOrString.fromString('client') }] });
    const out = objects();
    expect(find(out, 'Service', 'kv-lb').spec.type).toBe('LoadBalancer');
    expect(find(out, 'Service', 'kv-lb').metadata.annotations).toEqual(profile.internalLoadBalancerAnnotations);
    // The Service port 16379 forwards to the pods' named port 'client' (6379): that is what is admitted.
    expect(find(out, 'NetworkPolicy', 'kv').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: w.selectorLabels } }] },
      { ports: tcp(6379) },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-tracking' } }, podSelector: { matchLabels: { app: 'mlflow' } } }], ports: tcp(6379) },
    ]);
    expectGatesPass(out, profile);
  });

  test('declared before the restriction, or on an open workload (no NetworkPolicy at all)', () => {
    const open = workload(profile);
    open.w.addClientService({ name: 'kv-lb', internalLoadBalancer: true });
    expect(all(open.objects(), 'NetworkPolicy')).toEqual([]);
    open.w.allowFrom(NetworkPeer.namespace('monitoring'), [9121]);
    expect(find(open.objects(), 'NetworkPolicy', 'kv').spec.ingress[1]).toEqual({ ports: tcp(6379, 9121) });
  });

  test('a ClusterIP client Service admits nothing by itself', () => {
    const { w, objects } = workload(profile);
    w.allowFrom(NetworkPeer.namespace('monitoring'), [9121]);
    w.addClientService({ name: 'kv' });
    expect(find(objects(), 'NetworkPolicy', 'kv').spec.ingress.some((r: any) => r.from === undefined)).toBe(false);
  });
});
