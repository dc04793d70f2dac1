import { k8s } from '../k8s';
import { ServerTlsBinding } from '../secrets';
import { ContainerResources, ContainerSpec, Probe } from '../stateful';
import { DatabaseEngine } from './database-engine';
import type { EngineContext, EnginePod } from './engines';
import type { DatabaseMetricsOptions } from './stateful-database-props';

/** Name of the data volume claim template. */
export const DATA_VOLUME = 'data';

/** What the database pod is built from. */
export interface DatabasePodInput {
  readonly engine: DatabaseEngine;
  readonly context: EngineContext;
  /** The engine's image, env, probes and files for this database. */
  readonly pod: EnginePod;
  /** Sizing of the server (and bootstrap) container. */
  readonly resources: ContainerResources;
  /** Projected Secret files (superuser, replication, grants), resolved at synth. */
  readonly secretSources: k8s.VolumeProjection[];
  /** The server's certificate, with `tls`. */
  readonly tls?: ServerTlsBinding;
  /** The exporter sidecar, with `metrics`. */
  readonly metrics?: DatabaseMetricsOptions;
}

/** Volumes and containers of a database pod. */
export interface DatabasePod {
  readonly volumes: k8s.Volume[];
  readonly initContainers: ContainerSpec[];
  readonly containers: ContainerSpec[];
  readonly sidecars: ContainerSpec[];
}

/**
 * The server container (and its bootstrap init container, which runs a temporary server on the same data), the
 * configuration and Secret volumes, and the exporter sidecar.
 */
export function databasePod(input: DatabasePodInput): DatabasePod {
  const { engine, context, pod, tls } = input;
  const volumes: k8s.Volume[] = [
    { name: 'config', configMap: { name: pod.configMapName, defaultMode: 0o444 } },
    {
      name: 'secrets',
      projected: {
        // Group-readable: the files belong to the pod's fsGroup, the server's gid.
        defaultMode: 0o440,
        sources: input.secretSources,
      },
    },
  ];
  const mounts: k8s.VolumeMount[] = [
    { name: DATA_VOLUME, mountPath: pod.dataMount },
    { name: 'config', mountPath: context.configDir, readOnly: true },
    { name: 'secrets', mountPath: context.secretsDir, readOnly: true },
  ];
  if (tls) {
    // Certificate and key for the server (and the bootstrap's temporary server); the CA verifies
    // the primary when a replica clones or streams from it.
    volumes.push(tls.volume('tls'));
    mounts.push(tls.volumeMount('tls'));
  }
  volumes.push(...pod.serverVolumes.map((v) => v.volume));
  const server: ContainerSpec = {
    name: engine.family,
    image: pod.image,
    command: ['sh', `${context.configDir}/run.sh`],
    env: pod.env,
    ports: pod.ports,
    resources: input.resources,
    // No engine sizes anything from its CPU count, so CPU resizes in place; buffers are sized from
    // the memory limit at start, so a memory resize restarts the server.
    resizePolicy: { cpu: 'NotRequired', memory: 'RestartContainer' },
    startupProbe: pod.startupProbe,
    readinessProbe: pod.readinessProbe,
    // Liveness asks only "is the process there" (Patroni's HA loop, or the server answering):
    // never lag, which a restart would not fix.
    livenessProbe: pod.livenessProbe,
    volumeMounts: [...mounts, ...pod.serverVolumes.map((v) => v.mount)],
    writablePaths: pod.writablePaths,
    ...(pod.preStop ? { preStop: pod.preStop } : {}),
  };
  // The bootstrap runs a temporary server on the same data: it gets the same sizing.
  const bootstrap: ContainerSpec[] = pod.bootstrap ? [{
    name: 'bootstrap',
    image: engine.image,
    command: ['sh', `${context.configDir}/bootstrap.sh`],
    env: pod.env,
    resources: input.resources,
    volumeMounts: mounts,
    writablePaths: pod.writablePaths,
  }] : [];
  const sidecars: ContainerSpec[] = input.metrics ? [{
    name: 'metrics',
    image: input.metrics.image ?? engine.exporterImage,
    ports: [{ name: 'metrics', port: engine.metricsPort }],
    resources: input.metrics.resources ?? { cpu: '50m', memory: '64Mi' },
    readinessProbe: Probe.tcp('metrics'),
    ...engine.driver.exporter(context),
  }] : [];
  return { volumes, initContainers: bootstrap, containers: [server], sidecars };
}
