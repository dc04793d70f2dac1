import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { Cloud, Profile, crossAppProblem } from '../profiles';
import { CloudIdentity, Credentials } from '../secrets';
import { IPeerable } from '../stateful';
import { BucketAccess } from '../storage';
import { ObjectStore } from './object-store';
import { describeConstruct } from '../private/errors';

/** How a cloud artifact store is reached without a workload identity, or with one. */
export interface CloudArtifactStoreOptions {
  /**
   * Identity of the pods: a workload identity (their ServiceAccount is annotated), or `CloudIdentity.keys(...)`,
   * which is the same as `credentials`.
   * @default - none
   */
  readonly identity?: CloudIdentity;
  /**
   * Keys by reference instead of an identity: for S3, username = access key id and password = secret
   * key; for GCS, password = the service-account key JSON (mounted as a file); for Azure Blob,
   * password = the storage account access key.
   * @default - none
   */
  readonly credentials?: Credentials;
}

/** Everything a server pod needs to read and write an artifact store. */
export interface ArtifactStoreAccess {
  /** URI given to the server as its artifacts destination, e.g. `s3://ml-artifacts/mlflow`. */
  readonly uri: string;
  /** Environment of the server container (endpoints, credentials by reference). */
  readonly env: readonly k8s.EnvVar[];
  /** Pod volumes the store needs (e.g. a projected credentials file). */
  readonly volumes: readonly k8s.Volume[];
  /** Mounts of `volumes` in the server container. */
  readonly volumeMounts: readonly k8s.VolumeMount[];
  /** Annotations the pods' service account needs (workload identity). */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** Labels the pods need (workload identity opt-in). */
  readonly podLabels: Readonly<Record<string, string>>;
}

type StoreKind = 's3' | 'gcs' | 'azure';

const KINDS: Record<StoreKind, { readonly scheme: string; readonly nativeCloud: Cloud; readonly identity: string; readonly pythonPackage: string; readonly uri: RegExp; readonly example: string }> = {
  s3: {
    scheme: 's3://', nativeCloud: 'eks', identity: 'CloudIdentity.awsIrsa(roleArn) or CloudIdentity.awsPodIdentity()',
    pythonPackage: 'boto3', uri: /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/, example: 's3://ml-artifacts/mlflow',
  },
  gcs: {
    scheme: 'gs://', nativeCloud: 'gke', identity: 'CloudIdentity.gkeWorkloadIdentity(googleServiceAccount)',
    pythonPackage: 'google-cloud-storage', uri: /^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](\/[^\s]*)?$/, example: 'gs://ml-artifacts/mlflow',
  },
  azure: {
    scheme: 'wasbs://', nativeCloud: 'aks', identity: 'CloudIdentity.azureWorkloadIdentity(clientId)',
    pythonPackage: 'azure-storage-blob',
    uri: /^wasbs:\/\/[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])@[a-z0-9]{3,24}\.blob\.core\.windows\.net(\/[^\s]*)?$/,
    example: 'wasbs://ml-artifacts@mlplatform.blob.core.windows.net/mlflow',
  },
};

const GCS_KEY_DIR = '/var/run/secrets/gcs';
/** Where a consumer of a TLS ObjectStore finds the store's CA. */
const OBJECT_STORE_CA_DIR = '/etc/object-store-ca';

/**
 * Where an ML server keeps artifacts: the in-cluster ObjectStore, or a cloud bucket reached through
 * the cloud's workload identity or keys by reference. Validated against the profile of the server
 * that uses it (`problems`), so e.g. `gs://` on EKS without credentials fails synth.
 */
export class ArtifactStore {
  /**
   * A bucket of an in-cluster ObjectStore (MinIO), reached over its S3 API: the consumer gets
   * `MLFLOW_S3_ENDPOINT_URL` and the store's credentials, and the store admits the consumer's pods.
   * @param options.prefix key prefix inside the bucket (default: the bucket root)
   * @param options.credentials access key/secret for the bucket (default: the store's root credentials)
   */
  public static objectStore(store: ObjectStore, bucket: string, options: { readonly prefix?: string; readonly credentials?: Credentials } = {}): ArtifactStore {
    const prefix = options.prefix?.replace(/^\/+|\/+$/g, '');
    return new ArtifactStore('s3', `s3://${bucket}${prefix ? `/${prefix}` : ''}`, { credentials: options.credentials }, { store, bucket, prefix });
  }

  /** An S3 bucket (`s3://bucket/prefix`). */
  public static s3(uri: string, options: CloudArtifactStoreOptions = {}): ArtifactStore {
    return new ArtifactStore('s3', uri, options);
  }

  /** A Google Cloud Storage bucket (`gs://bucket/prefix`). */
  public static gcs(uri: string, options: CloudArtifactStoreOptions = {}): ArtifactStore {
    return new ArtifactStore('gcs', uri, options);
  }

  /** An Azure Blob Storage container (`wasbs://container@account.blob.core.windows.net/prefix`). */
  public static azureBlob(uri: string, options: CloudArtifactStoreOptions = {}): ArtifactStore {
    return new ArtifactStore('azure', uri, options);
  }

  /** Python package the server needs to talk to the store (`boto3`, `google-cloud-storage`, `azure-storage-blob`). */
  public readonly pythonPackage: string;
  private readonly options: CloudArtifactStoreOptions;

  private constructor(
    private readonly kind: StoreKind,
    public readonly uri: string,
    options: CloudArtifactStoreOptions,
    private readonly inCluster?: { readonly store: ObjectStore; readonly bucket: string; readonly prefix?: string },
  ) {
    // CloudIdentity.keys(...) is the same as { credentials }: one code path below.
    const keys = options.identity?.credentials;
    this.options = keys ? { credentials: options.credentials ? options.credentials : keys, identity: options.credentials ? options.identity : undefined } : options;
    const spec = KINDS[kind];
    if (!spec.uri.test(uri)) {
      throw new Error(`Invalid ${spec.scheme} artifact store URI '${uri}': expected e.g. '${spec.example}'.`);
    }
    this.pythonPackage = spec.pythonPackage;
  }

  /**
   * The consumer's own MinIO user (read-write on the artifact prefix only), named after its pods' instance label:
   * the root key is never handed to a consumer. One user per consumer, however often it binds.
   */
  private scopedUser(peer: IPeerable): Credentials {
    const { store, bucket, prefix } = this.inCluster!;
    const labels = peer.asPeer().podSelector;
    const user = labels['app.kubernetes.io/instance'] ?? labels['app.kubernetes.io/name'] ?? 'artifacts';
    let keys = this.users.get(user);
    if (!keys) {
      keys = store.grant(user, [BucketAccess.readWrite(bucket, prefix)]);
      this.users.set(user, keys);
    }
    return keys;
  }

  private readonly users = new Map<string, Credentials>();

  /** The in-cluster object store, when the artifacts live there. */
  public get objectStore(): ObjectStore | undefined {
    return this.inCluster?.store;
  }

  /** Why this store cannot be used from a cluster of `profile` (empty when it can). */
  public problems(profile: Profile): string[] {
    if (this.inCluster) {
      const { store, bucket } = this.inCluster;
      return store.hasBucket(bucket) ? [] : [
        `bucket '${bucket}' is not created by ${describeConstruct(store, 'ObjectStore')} (its buckets: ${store.buckets.join(', ') || 'none'}): add it to the store's buckets`,
      ];
    }
    const spec = KINDS[this.kind];
    const { identity, credentials } = this.options;
    if (identity && credentials) {
      return [`artifact store '${this.uri}' declares both an identity (${identity.factory}) and credentials: pick one`];
    }
    if (identity && (identity.cloud !== spec.nativeCloud || identity.cloud !== profile.cloud)) {
      return [`artifact store '${this.uri}': ${identity.factory} does not work here (${spec.scheme} with a workload identity needs ` +
        `${spec.identity} on a ${spec.nativeCloud} profile; profile '${profile.name}' is ${profile.cloud}): pass { credentials: Credentials.existingSecret(...) } instead`];
    }
    if (!identity && !credentials) {
      const how = profile.cloud === spec.nativeCloud ? `{ identity: ${spec.identity} } or { credentials }` : '{ credentials: Credentials.existingSecret(...) }';
      return [`artifact store '${this.uri}' has no credentials declared for profile '${profile.name}' (${profile.cloud}): pass ${how}`];
    }
    return [];
  }

  /**
   * What pods of `peer` in `namespace` need to use the store: environment, key files, service-account
   * annotations, pod labels. Binds the credentials in `namespace` and, for an in-cluster store, admits `peer`.
   */
  public bind(scope: Construct, namespace: string, peer: IPeerable): ArtifactStoreAccess {
    const { identity } = this.options;
    const crossApp = this.inCluster && crossAppProblem(scope, this.inCluster.store, 'artifact store');
    if (crossApp) throw new Error(`${scope.node.path}: ${crossApp}.`);
    // A bucket the store does not create is reported by problems(); no user is granted on it.
    const credentials = this.options.credentials ?? (this.inCluster?.store.hasBucket(this.inCluster.bucket) ? this.scopedUser(peer) : undefined);
    credentials?.bind(scope, namespace);
    if (this.inCluster) this.inCluster.store.allowFrom(peer);
    const env: k8s.EnvVar[] = [];
    const volumes: k8s.Volume[] = [];
    const volumeMounts: k8s.VolumeMount[] = [];
    if (this.kind === 's3') {
      if (credentials) {
        env.push(credentials.envVar('AWS_ACCESS_KEY_ID', 'username'), credentials.envVar('AWS_SECRET_ACCESS_KEY', 'password'));
      }
      if (this.inCluster) {
        // boto3 talks to MinIO instead of AWS; MinIO's default region is us-east-1.
        env.push({ name: 'MLFLOW_S3_ENDPOINT_URL', value: this.inCluster.store.endpoint }, { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' });
        // A TLS store: boto3 verifies its certificate against the store's CA (AWS_CA_BUNDLE).
        const ca = this.inCluster.store.clientCa(scope, namespace);
        if (ca) {
          volumes.push({ name: 'object-store-ca', secret: { secretName: ca.secretName, defaultMode: 0o444, items: [{ key: ca.key, path: 'ca.crt' }] } });
          volumeMounts.push({ name: 'object-store-ca', mountPath: OBJECT_STORE_CA_DIR, readOnly: true });
          env.push({ name: 'AWS_CA_BUNDLE', value: `${OBJECT_STORE_CA_DIR}/ca.crt` });
        }
      }
    } else if (this.kind === 'gcs' && credentials) {
      volumes.push({ ...credentials.volume('gcs-key'), secret: { secretName: credentials.secretName, defaultMode: 0o440 } });
      volumeMounts.push({ name: 'gcs-key', mountPath: GCS_KEY_DIR, readOnly: true });
      env.push({ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: `${GCS_KEY_DIR}/${credentials.passwordKey}` });
    } else if (this.kind === 'azure' && credentials) {
      env.push(credentials.envVar('AZURE_STORAGE_ACCESS_KEY', 'password'));
    }
    return {
      uri: this.uri,
      env,
      volumes,
      volumeMounts,
      serviceAccountAnnotations: { ...identity?.serviceAccountAnnotations },
      podLabels: { ...identity?.podLabels },
    };
  }
}
