import { checkPodSecurity, RULES } from '../../lib/checks';
import { gate, goodRender, type Obj, pick, podSpec, restrictedContainer, summary } from './fixtures';

const STS = 'StatefulSet ml-db/postgres';
const T = 'spec.template.spec';
const C0 = `${T}.containers[0]`;
const INIT0 = `${T}.initContainers[0]`;

/** Render with the StatefulSet's pod spec changed by `mutate`. */
function withPod(mutate: (spec: Obj) => void): Obj[] {
  const render = goodRender();
  mutate(pick(render, 'StatefulSet').spec.template.spec);
  return render;
}

describe('Pod Security Standards restricted', () => {
  test('the good render passes', () => {
    expect(checkPodSecurity(goodRender())).toEqual([]);
  });

  test('every pss rule cites the pod-security-admission check it mirrors', () => {
    const pss = Object.entries(RULES).filter(([id]) => id.startsWith('pss/'));
    expect(pss.length).toBe(16);
    for (const [, info] of pss) expect(info.upstream).toMatch(/^pod-security-admission (baseline|restricted): \w+$/);
    expect(RULES['pss/run-as-non-root'].upstream).toBe('pod-security-admission restricted: runAsNonRoot');
  });

  const cases: Array<[string, (spec: Obj) => void, Array<{ rule: string; path: string; message: string }>]> = [
    ['hostNetwork', (s) => { s.hostNetwork = true; }, [
      { rule: 'pss/host-namespaces', path: `${T}.hostNetwork`, message: "hostNetwork: true shares the node's namespace with the pod; remove hostNetwork" },
    ]],
    ['hostPID and hostIPC', (s) => { s.hostPID = true; s.hostIPC = true; }, [
      { rule: 'pss/host-namespaces', path: `${T}.hostPID`, message: "hostPID: true shares the node's namespace with the pod; remove hostPID" },
      { rule: 'pss/host-namespaces', path: `${T}.hostIPC`, message: "hostIPC: true shares the node's namespace with the pod; remove hostIPC" },
    ]],
    ['privileged', (s) => { s.containers[0].securityContext.privileged = true; }, [
      { rule: 'pss/privileged', path: `${C0}.securityContext.privileged`, message: 'container "postgres" sets privileged: true; remove it (restricted pods are never privileged)' },
    ]],
    ['capabilities not dropping ALL', (s) => { s.containers[0].securityContext.capabilities = { drop: ['NET_RAW'] }; }, [
      { rule: 'pss/capabilities', path: `${C0}.securityContext.capabilities.drop`, message: 'container "postgres" does not drop ALL capabilities (drop: ["NET_RAW"]); set securityContext.capabilities.drop: ["ALL"]' },
    ]],
    ['capabilities adding more than NET_BIND_SERVICE', (s) => { s.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE', 'SYS_ADMIN']; }, [
      { rule: 'pss/capabilities', path: `${C0}.securityContext.capabilities.add`, message: 'container "postgres" adds capabilities SYS_ADMIN; only NET_BIND_SERVICE may be added' },
    ]],
    ['hostPath volume', (s) => { s.volumes.push({ name: 'host', hostPath: { path: '/var/run' } }); }, [
      { rule: 'pss/host-path-volumes', path: `${T}.volumes[1].hostPath`, message: 'volume "host" mounts hostPath "/var/run"; use a persistentVolumeClaim or emptyDir' },
    ]],
    ['restricted volume type', (s) => { s.volumes.push({ name: 'share', nfs: { server: 'nfs.local', path: '/export' } }); }, [
      { rule: 'pss/restricted-volumes', path: `${T}.volumes[1]`, message: 'volume "share" uses nfs; restricted allows only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret (use a persistentVolumeClaim)' },
    ]],
    ['hostPort', (s) => { s.containers[0].ports[0].hostPort = 5432; }, [
      { rule: 'pss/host-ports', path: `${C0}.ports[0].hostPort`, message: 'container "postgres" binds hostPort 5432; remove hostPort and expose the port through a Service' },
    ]],
    ['probe host', (s) => { s.containers[0].livenessProbe = { httpGet: { host: '10.0.0.1', path: '/', port: 80 } }; }, [
      { rule: 'pss/host-probes', path: `${C0}.livenessProbe.httpGet.host`, message: 'container "postgres" livenessProbe.httpGet.host is "10.0.0.1"; remove host so the kubelet probes the pod itself' },
    ]],
    ['procMount', (s) => { s.containers[0].securityContext.procMount = 'Unmasked'; }, [
      { rule: 'pss/proc-mount', path: `${C0}.securityContext.procMount`, message: 'container "postgres" sets procMount: Unmasked; remove it (only Default is allowed)' },
    ]],
    ['unsafe sysctl', (s) => { s.securityContext.sysctls = [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }, { name: 'kernel.msgmax', value: '65536' }]; }, [
      { rule: 'pss/sysctls', path: `${T}.securityContext.sysctls[1]`, message: 'sysctl "kernel.msgmax" is not in the safe set; remove it or set it on the node' },
    ]],
    ['seLinuxOptions type and user', (s) => { s.securityContext.seLinuxOptions = { type: 'spc_t' }; s.containers[0].securityContext.seLinuxOptions = { user: 'system_u' }; }, [
      { rule: 'pss/selinux-options', path: `${T}.securityContext.seLinuxOptions.type`, message: 'pod seLinuxOptions.type "spc_t" is not allowed; use container_t, container_init_t, container_kvm_t or container_engine_t, or unset it' },
      { rule: 'pss/selinux-options', path: `${C0}.securityContext.seLinuxOptions.user`, message: 'container "postgres" sets seLinuxOptions.user "system_u"; remove it' },
    ]],
    ['appArmor Unconfined', (s) => { s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }; }, [
      { rule: 'pss/apparmor', path: `${C0}.securityContext.appArmorProfile.type`, message: 'container "postgres" appArmorProfile.type is Unconfined; use RuntimeDefault or Localhost' },
    ]],
    ['windows hostProcess', (s) => { s.securityContext.windowsOptions = { hostProcess: true }; }, [
      { rule: 'pss/windows-host-process', path: `${T}.securityContext.windowsOptions.hostProcess`, message: 'pod sets windowsOptions.hostProcess: true; remove it' },
    ]],
    ['allowPrivilegeEscalation unset on an init container', (s) => { delete s.initContainers[0].securityContext.allowPrivilegeEscalation; }, [
      { rule: 'pss/allow-privilege-escalation', path: `${INIT0}.securityContext.allowPrivilegeEscalation`, message: 'container "init-perms" has allowPrivilegeEscalation unset; set securityContext.allowPrivilegeEscalation: false' },
    ]],
    ['allowPrivilegeEscalation true on an ephemeral container', (s) => {
      s.ephemeralContainers = [{ ...restrictedContainer('debug'), securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] } } }];
      delete s.ephemeralContainers[0].resources;
    }, [
      { rule: 'pss/allow-privilege-escalation', path: `${T}.ephemeralContainers[0].securityContext.allowPrivilegeEscalation`, message: 'container "debug" has allowPrivilegeEscalation true; set securityContext.allowPrivilegeEscalation: false' },
    ]],
    ['runAsNonRoot unset everywhere', (s) => { delete s.securityContext.runAsNonRoot; }, [
      { rule: 'pss/run-as-non-root', path: `${INIT0}.securityContext.runAsNonRoot`, message: 'container "init-perms" may run as root: runAsNonRoot is unset on the container and the pod; set spec.securityContext.runAsNonRoot: true' },
      { rule: 'pss/run-as-non-root', path: `${C0}.securityContext.runAsNonRoot`, message: 'container "postgres" may run as root: runAsNonRoot is unset on the container and the pod; set spec.securityContext.runAsNonRoot: true' },
    ]],
    ['runAsNonRoot false on a container overrides the pod', (s) => { s.containers[0].securityContext.runAsNonRoot = false; }, [
      { rule: 'pss/run-as-non-root', path: `${C0}.securityContext.runAsNonRoot`, message: 'container "postgres" sets runAsNonRoot: false; set it to true' },
    ]],
    ['runAsUser 0', (s) => { s.containers[0].securityContext.runAsUser = 0; }, [
      { rule: 'pss/run-as-user', path: `${C0}.securityContext.runAsUser`, message: 'container "postgres" sets runAsUser: 0 (root); use a non-zero UID' },
    ]],
    ['seccomp Unconfined on the pod', (s) => { s.securityContext.seccompProfile = { type: 'Unconfined' }; }, [
      { rule: 'pss/seccomp-profile', path: `${T}.securityContext.seccompProfile.type`, message: 'pod seccompProfile.type is Unconfined; use RuntimeDefault or Localhost' },
      { rule: 'pss/seccomp-profile', path: `${INIT0}.securityContext.seccompProfile`, message: 'container "init-perms" has no seccompProfile and the pod sets none; set spec.securityContext.seccompProfile.type: RuntimeDefault' },
      { rule: 'pss/seccomp-profile', path: `${C0}.securityContext.seccompProfile`, message: 'container "postgres" has no seccompProfile and the pod sets none; set spec.securityContext.seccompProfile.type: RuntimeDefault' },
    ]],
  ];

  test.each(cases)('%s', (_name, mutate, expected) => {
    expect(gate(withPod(mutate))).toEqual(expected.map((e) => ({ ...e, object: STS })));
  });

  test('seccomp set on every container instead of the pod passes', () => {
    const render = withPod((s) => {
      delete s.securityContext.seccompProfile;
      for (const c of [...s.initContainers, ...s.containers]) c.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'pg.json' };
    });
    expect(gate(render)).toEqual([]);
  });

  test('runAsNonRoot on every container instead of the pod passes', () => {
    const render = withPod((s) => {
      delete s.securityContext.runAsNonRoot;
      for (const c of [...s.initContainers, ...s.containers]) c.securityContext.runAsNonRoot = true;
    });
    expect(gate(render)).toEqual([]);
  });

  test('Windows pods are exempt from the Linux-only restricted checks', () => {
    const render = withPod((s) => {
      s.os = { name: 'windows' };
      delete s.securityContext.seccompProfile;
      delete s.securityContext.fsGroup;
      for (const c of [...s.initContainers, ...s.containers]) {
        delete c.securityContext.allowPrivilegeEscalation;
        delete c.securityContext.capabilities;
      }
    });
    expect(summary(checkPodSecurity(render))).toEqual([]);
  });

  test('the AppArmor annotation form is checked too', () => {
    const render = goodRender();
    pick(render, 'StatefulSet').spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/postgres': 'unconfined' };
    expect(summary(checkPodSecurity(render))).toEqual([{
      rule: 'pss/apparmor', object: STS, path: 'spec.template.metadata.annotations.container.apparmor.security.beta.kubernetes.io/postgres',
      message: 'annotation container.apparmor.security.beta.kubernetes.io/postgres: unconfined disables AppArmor; use runtime/default or localhost/<profile>',
    }]);
  });

  test('CronJob job templates, Deployments, DaemonSets, ReplicaSets, Jobs and bare Pods are checked', () => {
    const bad = () => ({ ...podSpec(), securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, hostIPC: true });
    const tmpl = { metadata: { labels: { a: 'b' } }, spec: bad() };
    const objects: Obj[] = [
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'x' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: tmpl } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' }, spec: { selector: { matchLabels: { a: 'b' } }, template: tmpl } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'x' }, spec: { selector: { matchLabels: { a: 'b' } }, template: tmpl } },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'x' }, spec: { selector: { matchLabels: { a: 'b' } }, template: tmpl } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'x' }, spec: { template: tmpl } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'x' }, spec: bad() },
    ];
    expect(summary(checkPodSecurity(objects)).map((f) => `${f.object} ${f.path}`)).toEqual([
      'CronJob x/c spec.jobTemplate.spec.template.spec.hostIPC',
      'Deployment x/d spec.template.spec.hostIPC',
      'DaemonSet x/ds spec.template.spec.hostIPC',
      'ReplicaSet x/rs spec.template.spec.hostIPC',
      'Job x/j spec.template.spec.hostIPC',
      'Pod x/p spec.hostIPC',
    ]);
  });
});
