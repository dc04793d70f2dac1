import { Construct } from 'constructs';
import { k8s } from '../k8s';
import type { Cloud, Profile } from '../profiles';
import type { Credentials } from './credentials';
import { addProblems } from '../private/errors';

/** How pods prove who they are to a cloud API or object store. */
export type CloudIdentityMechanism = 'aws-irsa' | 'eks-pod-identity' | 'gke-workload-identity' | 'azure-workload-identity' | 'keys';

/** What a pod needs for a cloud identity: annotations of its own ServiceAccount, pod labels, environment. */
export interface CloudIdentityBinding {
  /** Annotations of the pods' ServiceAccount (empty for EKS Pod Identity and keys). */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** Labels the pods need (AKS Workload ID opts pods in by label). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Environment of the containers that reach the cloud (keys by reference; empty for workload identities). */
  readonly env: readonly k8s.EnvVar[];
  /** Whether the pods need a ServiceAccount of their own (every workload identity maps one ServiceAccount). */
  readonly needsServiceAccount: boolean;
}

/** Options of `CloudIdentity.forPods`. */
export interface PodIdentityOptions {
  /** Name of the ServiceAccount (the name an EKS Pod Identity association or a GKE/AKS federated credential names). */
  readonly name: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels of the ServiceAccount. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** The pods' cluster: a workload identity of another cloud fails validation. */
  readonly profile: Profile;
}

/** What pods use for a cloud identity: set these on the pod template. */
export interface PodIdentity {
  /** The pods' ServiceAccount (workload identities); none for keys. */
  readonly serviceAccountName?: string;
  /** Labels of the pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Environment of the containers that reach the cloud. */
  readonly env: readonly k8s.EnvVar[];
}

/**
 * Who the pods are to a cloud: a workload identity (the pod's own Kubernetes ServiceAccount is mapped to a cloud
 * identity, so no key is stored in the cluster; each works only on its cloud), or static keys by reference as the
 * fallback. One API for every place an object store or cloud API is reached: MLflow artifacts
 * (`ArtifactStore.s3/gcs/azureBlob`), logical backups (`BackupDestination.s3`), the trainer (`identity`).
 */
export class CloudIdentity {
  /** EKS IAM Roles for Service Accounts: the ServiceAccount carries the role ARN; the pods exchange their token at STS. */
  public static awsIrsa(roleArn: string): CloudIdentity {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) {
      throw new Error(`CloudIdentity.awsIrsa: '${roleArn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/mlflow-artifacts).`);
    }
    return new CloudIdentity('CloudIdentity.awsIrsa', 'aws-irsa', 'eks', { 'eks.amazonaws.com/role-arn': roleArn }, {});
  }

  /**
   * EKS Pod Identity: the association (cluster, namespace, ServiceAccount → role) is made in AWS, so nothing is
   * annotated; the pods need a ServiceAccount of their own, which the association names.
   */
  public static awsPodIdentity(): CloudIdentity {
    return new CloudIdentity('CloudIdentity.awsPodIdentity', 'eks-pod-identity', 'eks', {}, {});
  }

  /** GKE Workload Identity: the ServiceAccount impersonates a Google service account. */
  public static gkeWorkloadIdentity(googleServiceAccount: string): CloudIdentity {
    if (!/^[a-z][-a-z0-9]{4,28}[a-z0-9]@[-a-z0-9.]+\.iam\.gserviceaccount\.com$/.test(googleServiceAccount)) {
      throw new Error(`CloudIdentity.gkeWorkloadIdentity: '${googleServiceAccount}' is not a Google service account email (name@project.iam.gserviceaccount.com).`);
    }
    return new CloudIdentity('CloudIdentity.gkeWorkloadIdentity', 'gke-workload-identity', 'gke', { 'iam.gke.io/gcp-service-account': googleServiceAccount }, {});
  }

  /** AKS Microsoft Entra Workload ID: the ServiceAccount names a managed identity's client id; pods opt in by label. */
  public static azureWorkloadIdentity(clientId: string): CloudIdentity {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) {
      throw new Error(`CloudIdentity.azureWorkloadIdentity: '${clientId}' is not a client id (a GUID such as 00000000-0000-0000-0000-000000000000).`);
    }
    return new CloudIdentity('CloudIdentity.azureWorkloadIdentity', 'azure-workload-identity', 'aks',
      { 'azure.workload.identity/client-id': clientId }, { 'azure.workload.identity/use': 'true' });
  }

  /**
   * Static keys by reference, the fallback on any cloud (and the only way from another cloud or kind): for S3 and
   * S3-compatible stores, username = access key id and password = secret access key (`AWS_ACCESS_KEY_ID`,
   * `AWS_SECRET_ACCESS_KEY`).
   */
  public static keys(credentials: Credentials): CloudIdentity {
    return new CloudIdentity('CloudIdentity.keys', 'keys', undefined, {}, {}, credentials);
  }

  private constructor(
    /** The factory, for messages. */
    public readonly factory: string,
    /** How the pods authenticate. */
    public readonly mechanism: CloudIdentityMechanism,
    /** The only cloud this identity works on (`undefined` for keys, which work anywhere). */
    public readonly cloud: Cloud | undefined,
    /** Annotations on the pods' ServiceAccount. */
    public readonly serviceAccountAnnotations: Readonly<Record<string, string>>,
    /** Labels on the pods. */
    public readonly podLabels: Readonly<Record<string, string>>,
    /** The keys, for `CloudIdentity.keys`. */
    public readonly credentials?: Credentials,
  ) {}

  /** Whether this is a workload identity (a ServiceAccount mapped to a cloud identity) rather than keys. */
  public get isWorkloadIdentity(): boolean {
    return this.mechanism !== 'keys';
  }

  /** Why this identity cannot be used by pods on a cluster of `profile` (empty when it can). */
  public problems(profile: Profile, where: string): string[] {
    if (!this.cloud || this.cloud === profile.cloud) return [];
    return [`${where}: ${this.factory} works only on ${this.cloud}; profile '${profile.name}' is ${profile.cloud}: ` +
      `use that cloud's workload identity, or CloudIdentity.keys(Credentials.existingSecret(...))`];
  }

  /**
   * What pods in `namespace` need: ServiceAccount annotations, pod labels and, for keys, the `AWS_ACCESS_KEY_ID` /
   * `AWS_SECRET_ACCESS_KEY` environment (binding the Secret in `namespace`, which creates its ExternalSecret there).
   */
  public bind(scope: Construct, namespace: string): CloudIdentityBinding {
    this.credentials?.bind(scope, namespace);
    return {
      serviceAccountAnnotations: { ...this.serviceAccountAnnotations },
      podLabels: { ...this.podLabels },
      env: this.credentials
        ? [this.credentials.envVar('AWS_ACCESS_KEY_ID', 'username'), this.credentials.envVar('AWS_SECRET_ACCESS_KEY', 'password')]
        : [],
      needsServiceAccount: this.isWorkloadIdentity,
    };
  }

  /**
   * Everything pods of one workload need, created under `scope`: for a workload identity, their own ServiceAccount
   * `options.name` (annotated for IRSA/GKE/AKS, token not automounted: the cloud's webhook projects its own), plus
   * a validation that the profile is this identity's cloud; for keys, the environment.
   */
  public forPods(scope: Construct, options: PodIdentityOptions): PodIdentity {
    const binding = this.bind(scope, options.namespace);
    let serviceAccountName: string | undefined;
    if (binding.needsServiceAccount) {
      const holder = new Construct(scope, 'CloudIdentity');
      const annotations = binding.serviceAccountAnnotations;
      new k8s.KubeServiceAccount(holder, 'ServiceAccount', {
        metadata: {
          name: options.name,
          namespace: options.namespace,
          ...(options.labels ? { labels: { ...options.labels } } : {}),
          ...(Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
        },
        automountServiceAccountToken: false,
      });
      addProblems(holder, () => this.problems(options.profile, `identity of ${scope.node.path}`));
      serviceAccountName = options.name;
    }
    return { serviceAccountName, podLabels: binding.podLabels, env: binding.env };
  }
}
