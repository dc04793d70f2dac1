/**
 * A minimal render that passes every gate, built fresh per call so each test can break exactly one thing.
 */
import { type Finding, runGates } from '../../lib/checks';

/** Mutable, loosely typed manifest for tests (assignable to ManifestObject). */
export interface Obj { apiVersion: string; kind: string; metadata: any; [key: string]: any }

export const NS = 'ml-db';
export const LABELS = { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'db' };

export function restrictedContainer(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    image: 'postgres:16.4',
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
    ...extra,
  };
}

export function podSpec(): Record<string, any> {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [restrictedContainer('init-perms', { image: 'busybox:1.36', command: ['sh', '-c', 'true'] })],
    containers: [
      restrictedContainer('postgres', {
        ports: [{ name: 'pg', containerPort: 5432 }],
        readinessProbe: { exec: { command: ['pg_isready'] }, periodSeconds: 5 },
        volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
      }),
    ],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  };
}

export function statefulSet(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'postgres', namespace: NS, labels: LABELS },
    spec: {
      replicas: 3,
      serviceName: 'postgres-headless',
      selector: { matchLabels: LABELS },
      template: { metadata: { labels: { ...LABELS, tier: 'db' } }, spec: podSpec() },
      volumeClaimTemplates: [{
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-v1', resources: { requests: { storage: '10Gi' } } },
      }],
    },
  };
}

export function goodRender(): Obj[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast-v1' },
      provisioner: 'pd.csi.storage.gke.io', parameters: { type: 'pd-ssd' }, reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true,
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'postgres-headless', namespace: NS },
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: LABELS, ports: [{ name: 'pg', port: 5432, targetPort: 'pg' }] },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'postgres', namespace: NS },
      spec: { selector: LABELS, ports: [{ name: 'pg', port: 5432, targetPort: 5432 }] },
    },
    statefulSet(),
    {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'postgres', namespace: NS },
      spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } },
    },
    {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'postgres-backup', namespace: NS },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: { spec: { template: { metadata: { labels: { job: 'backup' } }, spec: { ...podSpec(), restartPolicy: 'OnFailure', initContainers: [] } } } },
      },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'postgres-config', namespace: NS }, data: { 'postgresql.conf': 'max_connections = 100' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty-holder', namespace: NS }, type: 'Opaque' },
    {
      apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 'postgres-credentials', namespace: NS },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'gcp' },
        target: { name: 'postgres-credentials', creationPolicy: 'Owner' },
        data: [{ secretKey: 'password', remoteRef: { key: 'ml-db-postgres-password' } }],
      },
    },
    {
      apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'csi-snapshots' },
      driver: 'pd.csi.storage.gke.io', deletionPolicy: 'Retain',
    },
    {
      apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'data-postgres-0-nightly', namespace: NS },
      spec: { volumeSnapshotClassName: 'csi-snapshots', source: { persistentVolumeClaimName: 'data-postgres-0' } },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'ml-platform', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: { repoURL: 'https://git.example.com/platform.git', targetRevision: 'main', path: 'dist/gke' },
        destination: { server: 'https://kubernetes.default.svc', namespace: NS },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
      },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'ml-platform-profiles', namespace: 'argocd' },
      spec: {
        goTemplate: true,
        generators: [{ list: { elements: [{ profile: 'gke' }, { profile: 'eks' }] } }],
        template: {
          metadata: { name: 'ml-{{.profile}}' },
          spec: {
            project: 'default',
            source: { repoURL: 'https://git.example.com/platform.git', targetRevision: 'main', path: 'dist/{{.profile}}' },
            destination: { server: 'https://kubernetes.default.svc', namespace: NS },
          },
        },
      },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1', kind: 'ConfigManagementPlugin', metadata: { name: 'cdk8s' },
      spec: {
        version: 'v1.0',
        init: { command: ['sh', '-c'], args: ['npm ci'] },
        generate: { command: ['sh', '-c'], args: ['npx cdk8s synth --stdout'] },
        discover: { fileName: './cdk8s.yaml' },
      },
    },
  ];
}

/** The object of `kind` (and `name`, if given) in a render, for targeted mutation. */
export function pick(objects: Obj[], kind: string, name?: string): Obj {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (!found) throw new Error(`fixture has no ${kind} ${name ?? ''}`);
  return found;
}

/** The comparable part of findings (upstream and severity are asserted separately, per rule). */
export function summary(findings: readonly Finding[]): Array<Pick<Finding, 'rule' | 'object' | 'path' | 'message'>> {
  return findings.map(({ rule, object, path, message }) => (path === undefined ? { rule, object, message } : { rule, object, path, message }));
}

/** All findings of a render through the full gate, at one Kubernetes version. */
export function gate(objects: Obj[], kubeVersion = '1.31'): ReturnType<typeof summary> {
  return summary(runGates(objects, { kubeVersion }).findings);
}
