import { ApiObject, Chart } from 'cdk8s';
import { Manifest, newChart, synth } from '../support/synth';

type Json = any;

/** A pod template's containers; `restricted` fields are irrelevant to the report and topology. */
export function podSpec(containers: Json[], extra: Json = {}): Json {
  return { containers, ...extra };
}

export function container(name: string, requests: Json, limits?: Json, extra: Json = {}): Json {
  return { name, image: 'busybox:1.36', resources: { requests, ...(limits ? { limits } : {}) }, ...extra };
}

export function labels(app: string): Record<string, string> {
  return { 'app.kubernetes.io/name': app };
}

export function storageClass(chart: Chart, name: string, tier: string): void {
  new ApiObject(chart, `sc-${name}`, {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name, labels: { 'ml.cdk8s.io/storage-tier': tier } }, provisioner: 'example.com/csi',
  });
}

export function statefulSet(chart: Chart, ns: string, name: string, replicas: number | undefined, spec: Json, claims: Json[] = []): void {
  new ApiObject(chart, `sts-${ns}-${name}`, {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: ns },
    spec: {
      ...(replicas === undefined ? {} : { replicas }), serviceName: `${name}-headless`, selector: { matchLabels: labels(name) },
      template: { metadata: { labels: labels(name) }, spec },
      volumeClaimTemplates: claims.map(([claim, size, storageClassName]) => ({
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: size } } },
      })),
    },
  });
}

export function deployment(chart: Chart, ns: string, name: string, replicas: number, spec: Json): void {
  new ApiObject(chart, `deploy-${ns}-${name}`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: { replicas, selector: { matchLabels: labels(name) }, template: { metadata: { labels: labels(name) }, spec } },
  });
}

export function service(chart: Chart, ns: string, name: string, app: string, port: number, headless = false): void {
  new ApiObject(chart, `svc-${ns}-${name}`, {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns },
    spec: { ...(headless ? { clusterIP: 'None' } : {}), selector: labels(app), ports: [{ name: 'p', port }] },
  });
}

/** A chart built by `build`, synthesized into its objects. */
export function objectsOf(build: (chart: Chart) => void): Manifest[] {
  const { chart } = newChart();
  build(chart);
  return synth(chart);
}
