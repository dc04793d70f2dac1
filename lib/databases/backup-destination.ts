import { Construct, IConstruct } from 'constructs';
import type { k8s } from '../k8s';
import type { CloudIdentity, Credentials } from '../secrets';
import type { PeerLike } from '../stateful';
import type { BucketAccess } from '../storage/bucket-access';
import { Quantity } from '../storage/quantity';
import type { StorageTier } from '../storage/storage-class-pack';

/**
 * MinIO client image (`mc` and `sh`): uploads logical backups to buckets, and creates the
 * ObjectStore's buckets. Defined here, below lib/ml, so both layers share one pinned release.
 */
export const MINIO_CLIENT_IMAGE = 'minio/mc:RELEASE.2025-04-16T18-13-26Z';

/** `mc`'s configuration directory in every pod that runs it (on the writable /tmp; the root is read-only). */
export const MC_CONFIG_DIR = '/tmp/.mc';
/** `mc` trusts every CA certificate in this directory (besides the system's). */
const MC_CA_DIR = `${MC_CONFIG_DIR}/certs/CAs`;

/** Where a client in some namespace finds the CA that verifies a TLS server: a Secret there and its key. */
export interface ClientCaRef {
  /** Secret in the client's namespace. */
  readonly secretName: string;
  /** Key of the PEM CA certificate. */
  readonly key: string;
}

/** The CA of an S3 store mounted where `mc` (run with `MC_CONFIG_DIR`) trusts it: pod volume and container mount. */
export function mcTrustedCa(ca: ClientCaRef, volumeName = 's3-ca'): { readonly volume: k8s.Volume; readonly volumeMount: k8s.VolumeMount } {
  return {
    volume: { name: volumeName, secret: { secretName: ca.secretName, defaultMode: 0o444, items: [{ key: ca.key, path: 'ca.crt' }] } },
    volumeMount: { name: volumeName, mountPath: MC_CA_DIR, readOnly: true },
  };
}

/**
 * An in-cluster S3-compatible object store that logical backups can write to. `ObjectStore`
 * (lib/ml, MinIO) satisfies it as it is; so does any construct with these members.
 */
export interface S3CompatibleStore extends IConstruct {
  /** S3 endpoint clients in the cluster use, e.g. `http://minio.ml-tracking.svc.cluster.local:9000`. */
  readonly endpoint: string;
  /** Access key (username) and secret key (password), by reference. */
  readonly credentials: Credentials;
  /** Buckets the store creates. */
  readonly buckets: readonly string[];
  /**
   * With TLS (an `https` endpoint): where a client in `namespace` finds the CA that verifies the store,
   * rendering what that takes under `scope`; `undefined` without TLS.
   */
  clientCa?(scope: Construct, namespace: string): ClientCaRef | undefined;
  /** Admits `peer` to the S3 API (the store denies undeclared clients). */
  allowFrom(peer: PeerLike): void;
  /** A user of the store limited to `access`, created by the store; returns its keys by reference (ObjectStore.grant). */
  grant(user: string, access: readonly BucketAccess[], credentials?: Credentials): Credentials;
}

/** Options of `BackupDestination.objectStore`. */
export interface ObjectStoreBackupOptions {
  /**
   * Key prefix inside the bucket. Pruning considers every timestamped backup under it, so give
   * each backed-up database its own prefix.
   * @default - the database's name
   */
  readonly prefix?: string;
  /**
   * Keys for the bucket (username = access key, password = secret key) of a user you manage. The Secret
   * must exist in the database's namespace.
   * @default - a user of the store of its own (`<database>-backup`, Secret `<store>-<database>-backup` in the
   * store's and the database's namespaces), allowed to write and prune the prefix and nothing else
   */
  readonly credentials?: Credentials;
  /** `sizeLimit` of the emptyDir holding one run's dump until it is uploaded. @default '10Gi' */
  readonly sizeLimit?: string;
}

/** Options of `BackupDestination.s3`. */
export interface S3BackupOptions {
  /** Bucket and optional key prefix, e.g. `s3://ml-db-backups/postgres`. */
  readonly url: string;
  /**
   * S3 API endpoint. Any S3-compatible service works (e.g. `https://storage.googleapis.com` with
   * HMAC keys).
   * @default 'https://s3.amazonaws.com'
   */
  readonly endpoint?: string;
  /**
   * Static keys by reference: username = access key id, password = secret access key. The Secret
   * must exist in the database's namespace. Exclusive with `identity`.
   * @default - none (then `identity` is required)
   */
  readonly credentials?: Credentials;
  /**
   * Who the backup pods are to AWS: `CloudIdentity.awsIrsa(roleArn)` (their own ServiceAccount carries the role;
   * `mc` exchanges the projected token at `stsEndpoint`), `CloudIdentity.awsPodIdentity()` (associate the
   * ServiceAccount `<database>-logical-backup` with the role; `mc` reads the agent's credentials), or
   * `CloudIdentity.keys(...)` (the same as `credentials`).
   * @default - none (then `credentials` are required)
   */
  readonly identity?: CloudIdentity;
  /** STS endpoint for workload identity. @default 'https://sts.amazonaws.com' */
  readonly stsEndpoint?: string;
  /** `sizeLimit` of the emptyDir holding one run's dump until it is uploaded. @default '10Gi' */
  readonly sizeLimit?: string;
}

/** A bucket the backups are uploaded to. */
export interface BucketTarget {
  /** S3 endpoint URL. */
  readonly endpoint: string;
  /** Bucket name. */
  readonly bucket: string;
  /** Key prefix without leading or trailing '/'; `undefined` means the database's name, `''` the bucket root. */
  readonly prefix?: string;
  /** Keys by reference, when not using a workload identity. */
  readonly credentials?: Credentials;
  /** Workload identity of the backup pods (they get a ServiceAccount of their own). */
  readonly identity?: CloudIdentity;
  /** STS endpoint `mc` exchanges the workload identity token at. */
  readonly stsEndpoint?: string;
  /** The in-cluster store, which must admit the backup pods. */
  readonly store?: S3CompatibleStore;
  /** `sizeLimit` of the scratch emptyDir. */
  readonly sizeLimit: string;
}

/** A claim the backups are written to. */
export interface ClaimTarget {
  /** Storage tier of the claim. */
  readonly tier: StorageTier;
  /** Size of the claim, e.g. `50Gi`. */
  readonly size: string;
  /** @default '<database>-backups' */
  readonly name?: string;
}

/** S3 bucket naming: 3–63 characters, lower-case letters, digits, '.', '-', starting and ending alphanumeric. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Key prefix: '/'-separated segments of safe characters, none starting with '.' (so no '.' or '..'). */
const PREFIX = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
const HTTP_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/;
const DEFAULT_SIZE_LIMIT = '10Gi';

function bucketProblem(bucket: string): string | undefined {
  if (BUCKET_NAME.test(bucket) && !bucket.includes('..')) return undefined;
  return `bucket '${bucket}' is not a valid bucket name: use 3–63 lower-case letters, digits, '.' and '-', ` +
    "starting and ending with a letter or digit (e.g. 'ml-db-backups')";
}

function normalizedPrefix(prefix: string, where: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed !== '' && !PREFIX.test(trimmed)) {
    throw new Error(`${where}: prefix '${prefix}' is not a key prefix: use segments of letters, digits, '.', '_' and '-' ` +
      "separated by '/', not starting with '.' (e.g. 'postgres/nightly').");
  }
  return trimmed;
}

function endpointProblem(endpoint: string, what: string): string | undefined {
  return HTTP_URL.test(endpoint) ? undefined : `${what} '${endpoint}' is not an http(s) URL of a host (e.g. 'https://s3.eu-west-1.amazonaws.com')`;
}

/**
 * Where logical backups are written: a claim of their own, a bucket of an in-cluster object store
 * (MinIO), or a cloud bucket. Bucket destinations dump into a scratch emptyDir and upload with `mc`.
 */
export class BackupDestination {
  /**
   * A PersistentVolumeClaim created for the backups (`<database>-backups`), from `tier`. Use a
   * tier on other disks than the database's (the claim is its own volume either way); the
   * backups of all retained runs must fit in `size`.
   */
  public static claim(options: {
    readonly tier: StorageTier;
    /** Size of the backup volume (`50Gi`). */
    readonly size: string;
    /** @default '<database>-backups' */
    readonly name?: string;
  }): BackupDestination {
    return new BackupDestination({ tier: options.tier, size: options.size, name: options.name }, undefined);
  }

  /**
   * A bucket of an in-cluster S3-compatible store such as `ObjectStore` (MinIO): off the
   * database's volumes, and the store admits the backup pods. The bucket must be one the store
   * creates.
   */
  public static objectStore(store: S3CompatibleStore, bucket: string, options: ObjectStoreBackupOptions = {}): BackupDestination {
    const where = 'BackupDestination.objectStore';
    const problem = bucketProblem(bucket);
    if (problem) throw new Error(`${where}: ${problem}.`);
    if (!store.buckets.includes(bucket)) {
      throw new Error(`${where}: bucket '${bucket}' is not created by '${store.node.path}' (its buckets: ${store.buckets.join(', ') || 'none'}): ` +
        "add it to the store's buckets.");
    }
    const sizeLimit = options.sizeLimit ?? DEFAULT_SIZE_LIMIT;
    Quantity.parse(sizeLimit, `sizeLimit of ${where}`);
    return new BackupDestination(undefined, {
      endpoint: store.endpoint,
      bucket,
      prefix: options.prefix === undefined ? undefined : normalizedPrefix(options.prefix, where),
      credentials: options.credentials,
      store,
      sizeLimit,
    });
  }

  /**
   * A cloud bucket (`s3://bucket/prefix`) reached with static keys by reference or with the
   * workload identity of the backup pods' own ServiceAccount (IRSA or EKS Pod Identity).
   */
  public static s3(options: S3BackupOptions): BackupDestination {
    const where = `BackupDestination.s3('${options.url}')`;
    if (!options.url.startsWith('s3://')) {
      throw new Error(`${where}: the URL does not start with 's3://': pass the bucket and prefix as e.g. 's3://ml-db-backups/postgres'.`);
    }
    const rest = options.url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const problem = bucketProblem(bucket);
    if (problem) throw new Error(`${where}: ${problem}.`);
    const prefix = normalizedPrefix(slash < 0 ? '' : rest.slice(slash + 1), where);
    const endpoint = options.endpoint ?? 'https://s3.amazonaws.com';
    const stsEndpoint = options.stsEndpoint ?? 'https://sts.amazonaws.com';
    for (const p of [endpointProblem(endpoint, 'endpoint'), endpointProblem(stsEndpoint, 'stsEndpoint')]) {
      if (p) throw new Error(`${where}: ${p}.`);
    }
    const credentials = options.credentials ?? options.identity?.credentials;
    const identity = options.identity?.isWorkloadIdentity ? options.identity : undefined;
    if (!credentials && !identity) {
      throw new Error(`${where}: no credentials and no identity: pass { credentials: Credentials.existingSecret(...) } ` +
        '(username = access key id, password = secret access key) or { identity: CloudIdentity.awsIrsa(roleArn) } (or CloudIdentity.awsPodIdentity()).');
    }
    if (options.credentials && options.identity) {
      throw new Error(`${where}: both credentials and identity (${options.identity.factory}) are given: pick one (keys, or the workload identity).`);
    }
    if (identity && identity.cloud !== 'eks') {
      throw new Error(`${where}: ${identity.factory} cannot sign S3 requests (mc speaks the S3 API, which takes AWS identities or keys): ` +
        'use CloudIdentity.awsIrsa(...) or CloudIdentity.awsPodIdentity() on EKS, or HMAC/access keys with { credentials } elsewhere.');
    }
    const sizeLimit = options.sizeLimit ?? DEFAULT_SIZE_LIMIT;
    Quantity.parse(sizeLimit, `sizeLimit of ${where}`);
    return new BackupDestination(undefined, {
      endpoint: endpoint.replace(/\/$/, ''),
      bucket,
      prefix,
      credentials,
      identity,
      // IRSA exchanges the web identity token at STS; Pod Identity's agent hands out credentials itself.
      stsEndpoint: identity?.mechanism === 'aws-irsa' ? stsEndpoint.replace(/\/$/, '') : undefined,
      sizeLimit,
    });
  }

  private constructor(
    /** The claim, for `BackupDestination.claim`. */
    public readonly claim: ClaimTarget | undefined,
    /** The bucket, for `BackupDestination.objectStore` and `BackupDestination.s3`. */
    public readonly bucket: BucketTarget | undefined,
  ) {}
}
