/**
 * Pod Security Standards `restricted` (which includes `baseline`), as enforced by the pod-security-admission
 * controller at its latest policy version, applied to every pod template of a render so a namespace labelled
 * `pod-security.kubernetes.io/enforce: restricted` never rejects what we ship.
 *
 * Semantics follow k8s.io/pod-security-admission/policy check by check (each rule id maps to one upstream check,
 * see rules.ts). Feature-gated relaxations that are off by default (user-namespace pods under
 * UserNamespacesPodSecurityStandards) are not applied: a default cluster would reject those pods.
 */
import { type Finding, finding } from './finding';
import { joinPath } from './json-path';
import { type Json, ManifestIndex, type ManifestObject, type PodTemplateRef, podContainers } from './manifest-index';
import type { GateRuleId } from './rules';

/** pod-security-admission check_sysctls.go, newest allowed set (1.32+). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);

/** check_seLinuxOptions.go (1.31+ adds container_engine_t). */
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** check_restrictedVolumes.go: the only inline volume sources `restricted` admits. */
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const ALLOWED_VOLUMES = new Set(RESTRICTED_VOLUME_TYPES);

const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

interface ContainerRef {
  readonly container: Json;
  readonly name: string;
  readonly path: string;
  readonly sc: Json;
}

/** The containers with the names and securityContexts the messages use. */
function containersOf(t: PodTemplateRef): ContainerRef[] {
  return podContainers(t).map(({ container, index, path }) => ({ container, name: container.name ?? `#${index}`, path, sc: container.securityContext ?? {} }));
}

type Emit = (rule: GateRuleId, path: string, message: string) => void;

function checkTemplate(t: PodTemplateRef, emit: Emit): void {
  const spec = t.spec;
  const podSc: Json = spec.securityContext ?? {};
  const podScPath = joinPath(t.specPath, 'securityContext');
  const containers = containersOf(t);
  const windows = spec.os?.name === 'windows';
  const where = (c: ContainerRef) => `container "${c.name}"`;

  // baseline: hostNamespaces
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[ns] === true) {
      emit('pss/host-namespaces', joinPath(t.specPath, ns), `${ns}: true shares the node's namespace with the pod; remove ${ns}`);
    }
  }

  // baseline: privileged
  for (const c of containers) {
    if (c.sc.privileged === true) {
      emit('pss/privileged', joinPath(c.path, 'securityContext', 'privileged'), `${where(c)} sets privileged: true; remove it (restricted pods are never privileged)`);
    }
  }

  // restricted: capabilities_restricted (supersedes capabilities_baseline)
  if (!windows) {
    for (const c of containers) {
      const caps = c.sc.capabilities ?? {};
      const drop: unknown[] = Array.isArray(caps.drop) ? caps.drop : [];
      if (!drop.includes('ALL')) {
        emit('pss/capabilities', joinPath(c.path, 'securityContext', 'capabilities', 'drop'),
          `${where(c)} does not drop ALL capabilities (drop: ${JSON.stringify(drop)}); set securityContext.capabilities.drop: ["ALL"]`);
      }
      const added = (Array.isArray(caps.add) ? caps.add : []).filter((x: unknown) => x !== 'NET_BIND_SERVICE');
      if (added.length) {
        emit('pss/capabilities', joinPath(c.path, 'securityContext', 'capabilities', 'add'),
          `${where(c)} adds capabilities ${added.join(', ')}; only NET_BIND_SERVICE may be added`);
      }
    }
  }

  // baseline: hostPathVolumes; restricted: restrictedVolumes
  const volumes: Json[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  volumes.forEach((v, i) => {
    const p = joinPath(t.specPath, 'volumes', i);
    const types = Object.keys(v ?? {}).filter((k) => k !== 'name');
    if (types.includes('hostPath')) {
      emit('pss/host-path-volumes', joinPath(p, 'hostPath'), `volume "${v.name}" mounts hostPath ${JSON.stringify(v.hostPath?.path)}; use a persistentVolumeClaim or emptyDir`);
    }
    const bad = types.filter((k) => k !== 'hostPath' && !ALLOWED_VOLUMES.has(k));
    if (bad.length) {
      emit('pss/restricted-volumes', p, `volume "${v.name}" uses ${bad.join(', ')}; restricted allows only ${RESTRICTED_VOLUME_TYPES.join(', ')} (use a persistentVolumeClaim)`);
    }
  });

  for (const c of containers) {
    // baseline: hostPorts
    const ports: Json[] = Array.isArray(c.container.ports) ? c.container.ports : [];
    ports.forEach((port, i) => {
      if (port?.hostPort) {
        emit('pss/host-ports', joinPath(c.path, 'ports', i, 'hostPort'), `${where(c)} binds hostPort ${port.hostPort}; remove hostPort and expose the port through a Service`);
      }
    });

    // baseline: hostProbesAndHostLifecycle (1.34+)
    const handlers: Array<[string, Json]> = [
      ['livenessProbe', c.container.livenessProbe], ['readinessProbe', c.container.readinessProbe], ['startupProbe', c.container.startupProbe],
      ['lifecycle.postStart', c.container.lifecycle?.postStart], ['lifecycle.preStop', c.container.lifecycle?.preStop],
    ];
    for (const [name, h] of handlers) {
      for (const kind of ['httpGet', 'tcpSocket']) {
        const host = h?.[kind]?.host;
        if (host) {
          emit('pss/host-probes', joinPath(c.path, name, kind, 'host'), `${where(c)} ${name}.${kind}.host is ${JSON.stringify(host)}; remove host so the kubelet probes the pod itself`);
        }
      }
    }

    // baseline: procMount
    if (c.sc.procMount !== undefined && c.sc.procMount !== 'Default') {
      emit('pss/proc-mount', joinPath(c.path, 'securityContext', 'procMount'), `${where(c)} sets procMount: ${c.sc.procMount}; remove it (only Default is allowed)`);
    }
  }

  // baseline: sysctls
  const sysctls: Json[] = Array.isArray(podSc.sysctls) ? podSc.sysctls : [];
  sysctls.forEach((s, i) => {
    if (!SAFE_SYSCTLS.has(s?.name)) {
      emit('pss/sysctls', joinPath(podScPath, 'sysctls', i), `sysctl ${JSON.stringify(s?.name)} is not in the safe set; remove it or set it on the node`);
    }
  });

  // baseline: seLinuxOptions
  const selinux = (opts: Json, p: string, who: string) => {
    if (!opts) return;
    if (opts.type !== undefined && !SELINUX_TYPES.has(opts.type)) {
      emit('pss/selinux-options', joinPath(p, 'type'), `${who} seLinuxOptions.type ${JSON.stringify(opts.type)} is not allowed; use container_t, container_init_t, container_kvm_t or container_engine_t, or unset it`);
    }
    for (const f of ['user', 'role']) {
      if (opts[f]) emit('pss/selinux-options', joinPath(p, f), `${who} sets seLinuxOptions.${f} ${JSON.stringify(opts[f])}; remove it`);
    }
  };
  selinux(podSc.seLinuxOptions, joinPath(podScPath, 'seLinuxOptions'), 'pod');
  for (const c of containers) selinux(c.sc.seLinuxOptions, joinPath(c.path, 'securityContext', 'seLinuxOptions'), where(c));

  // baseline: appArmorProfile (field and the deprecated annotation)
  for (const [k, v] of Object.entries<string>(t.metadata?.annotations ?? {})) {
    if (k.startsWith(APPARMOR_ANNOTATION) && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/'))) {
      emit('pss/apparmor', joinPath(t.path, 'metadata', 'annotations', k), `annotation ${k}: ${v} disables AppArmor; use runtime/default or localhost/<profile>`);
    }
  }
  const apparmor = (prof: Json, p: string, who: string) => {
    if (prof?.type !== undefined && !SECCOMP_OK.has(prof.type)) {
      emit('pss/apparmor', joinPath(p, 'type'), `${who} appArmorProfile.type is ${prof.type}; use RuntimeDefault or Localhost`);
    }
  };
  apparmor(podSc.appArmorProfile, joinPath(podScPath, 'appArmorProfile'), 'pod');
  for (const c of containers) apparmor(c.sc.appArmorProfile, joinPath(c.path, 'securityContext', 'appArmorProfile'), where(c));

  // baseline: windowsHostProcess
  if (podSc.windowsOptions?.hostProcess === true) {
    emit('pss/windows-host-process', joinPath(podScPath, 'windowsOptions', 'hostProcess'), 'pod sets windowsOptions.hostProcess: true; remove it');
  }
  for (const c of containers) {
    if (c.sc.windowsOptions?.hostProcess === true) {
      emit('pss/windows-host-process', joinPath(c.path, 'securityContext', 'windowsOptions', 'hostProcess'), `${where(c)} sets windowsOptions.hostProcess: true; remove it`);
    }
  }

  // restricted: allowPrivilegeEscalation (Windows pods exempt: the field does not exist there)
  if (!windows) {
    for (const c of containers) {
      if (c.sc.allowPrivilegeEscalation !== false) {
        emit('pss/allow-privilege-escalation', joinPath(c.path, 'securityContext', 'allowPrivilegeEscalation'),
          `${where(c)} has allowPrivilegeEscalation ${c.sc.allowPrivilegeEscalation === undefined ? 'unset' : String(c.sc.allowPrivilegeEscalation)}; set securityContext.allowPrivilegeEscalation: false`);
      }
    }
  }

  // restricted: runAsNonRoot (pod true covers containers that leave it unset; an explicit container false overrides)
  if (podSc.runAsNonRoot === false) {
    emit('pss/run-as-non-root', joinPath(podScPath, 'runAsNonRoot'), 'pod sets runAsNonRoot: false; set it to true');
  }
  for (const c of containers) {
    if (c.sc.runAsNonRoot === false) {
      emit('pss/run-as-non-root', joinPath(c.path, 'securityContext', 'runAsNonRoot'), `${where(c)} sets runAsNonRoot: false; set it to true`);
    } else if (c.sc.runAsNonRoot === undefined && podSc.runAsNonRoot !== true) {
      emit('pss/run-as-non-root', joinPath(c.path, 'securityContext', 'runAsNonRoot'),
        `${where(c)} may run as root: runAsNonRoot is unset on the container and the pod; set spec.securityContext.runAsNonRoot: true`);
    }
  }

  // restricted: runAsUser
  if (podSc.runAsUser === 0) emit('pss/run-as-user', joinPath(podScPath, 'runAsUser'), 'pod sets runAsUser: 0 (root); use a non-zero UID');
  for (const c of containers) {
    if (c.sc.runAsUser === 0) emit('pss/run-as-user', joinPath(c.path, 'securityContext', 'runAsUser'), `${where(c)} sets runAsUser: 0 (root); use a non-zero UID`);
  }

  // restricted: seccompProfile_restricted (pod-level RuntimeDefault/Localhost covers containers that leave it unset)
  if (!windows) {
    const podType = podSc.seccompProfile?.type;
    if (podType !== undefined && !SECCOMP_OK.has(podType)) {
      emit('pss/seccomp-profile', joinPath(podScPath, 'seccompProfile', 'type'), `pod seccompProfile.type is ${podType}; use RuntimeDefault or Localhost`);
    }
    for (const c of containers) {
      const type = c.sc.seccompProfile?.type;
      if (type !== undefined && !SECCOMP_OK.has(type)) {
        emit('pss/seccomp-profile', joinPath(c.path, 'securityContext', 'seccompProfile', 'type'), `${where(c)} seccompProfile.type is ${type}; use RuntimeDefault or Localhost`);
      } else if (type === undefined && !SECCOMP_OK.has(podType)) {
        emit('pss/seccomp-profile', joinPath(c.path, 'securityContext', 'seccompProfile'),
          `${where(c)} has no seccompProfile and the pod sets none; set spec.securityContext.seccompProfile.type: RuntimeDefault`);
      }
    }
  }
}

/** PSS `restricted` findings for every pod template (workloads, CronJob job templates, bare Pods). */
export function checkPodSecurity(objects: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  for (const t of ManifestIndex.of(objects).podTemplates) {
    checkTemplate(t, (rule, path, message) => out.push(finding(rule, t.owner, path, message)));
  }
  return out;
}
