import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { Profile, assertKnownProps, propNames } from '../profiles';
import { ClientCaRef, MC_CONFIG_DIR, MINIO_CLIENT_IMAGE, mcTrustedCa } from '../databases/backup-destination';
import { Credentials, ServerTls, ServerTlsBinding } from '../secrets';
import {
  ClaimRetention, ContainerResources, IPeerable, IServesTraffic, PeerLike, PodManagementPolicy, Probe, StatefulWorkload, UpdateStrategy, WorkloadIdentity, WorkloadPeer, WorkloadService,
  ServiceStorage, StatefulServiceProps, buildPodSpec, contentVersionedName, imageProblem, serviceProfile, tierProfileProblem,
} from '../stateful';
import { BucketAccess, bucketPolicyDocument } from '../storage';
import { MANAGED_BY_LABELS, isDns1123Label } from '../names';
import { addProblems, describeConstruct, propsError } from '../private/errors';

/** MinIO server image (the last community release line published to Docker Hub). */
export const MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';
/**
 * MinIO client image of the same release train, for the bucket Job. Defined in lib/databases (a
 * lower layer), whose logical backups upload with the same client.
 */
export { MINIO_CLIENT_IMAGE };

const API_PORT = 9000;
const CONSOLE_PORT = 9001;
const DATA_PATH = '/data';
/** MinIO's `--certs-dir`: it reads `public.crt`, `private.key` and the CAs it trusts (its peers') from `CAs/`. */
const CERTS_DIR = '/etc/minio/certs';
/** Erasure coding needs at least four drives; two or three pods can neither stand alone nor form a set. */
const MIN_DISTRIBUTED_REPLICAS = 4;
/** S3 bucket naming: 3–63 characters, lower-case letters, digits, '.', '-', starting and ending alphanumeric. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A scoped user names its Job `<store>-user-<user>-<hash>` (≤ 63) and its Secret `<store>-<user>`. */
const MAX_USER_NAME = 40;

/** Props of `ObjectStore`. */
export interface ObjectStoreProps extends StatefulServiceProps {
  /** StatefulSet and client Service name; pods are `<name>-<i>`. @default 'minio' */
  readonly name?: string;
  /** Namespace of the servers, their Services and the bucket Job. */
  readonly namespace: string;
  /**
   * 1 runs MinIO standalone; 4 or more run one distributed (erasure-coded) server pool across the
   * pods' stable DNS names. The pool's size is fixed once deployed: MinIO refuses to start when the
   * pool changes, so grow capacity with a new pool, not by changing this number.
   * @default 1
   */
  readonly replicas?: number;
  /** Each pod's data volume (ReadWriteOnce tiers are fine: one claim per pod). */
  readonly storage: ServiceStorage;
  /** Buckets the bucket Job creates (idempotently). @default - none (no Job) */
  readonly buckets?: readonly string[];
  /**
   * Root user and password (keys `username`/`password` by default), by reference. Clients of the
   * object store (MLflow) read the same Secret in their own namespace.
   */
  readonly credentials: Credentials;
  /** Serve the web console on port 9001 (admit its users with `allowConsoleFrom`). @default true */
  readonly console?: boolean;
  /**
   * Expose the client Service through the profile's internal load balancer. Once the store restricts
   * ingress, the API and console ports are then admitted from any source (load-balancer traffic does
   * not come from a pod); the load balancer itself is reachable from the VPC/VNet only.
   * @default false (ClusterIP)
   */
  readonly internalLoadBalancer?: boolean;
  /**
   * TLS on the S3 API and console (`ServerTls.certManager(...)` or `.existingSecret(...)`): MinIO serves
   * https, the pool's members talk https to each other, and every client (bucket Jobs, MLflow, logical
   * backups) verifies the certificate against its CA. The certificate names the Services and the pods.
   * @default - no TLS
   */
  readonly tls?: ServerTls;
  /** Pinned MinIO server image. @default MINIO_IMAGE */
  readonly image?: string;
  /** Image of the bucket Job (must contain `mc` and `sh`). @default MINIO_CLIENT_IMAGE */
  readonly clientImage?: string;
  /** CPU and memory of each MinIO container. @default - the profile's default sizing */
  readonly resources?: ContainerResources;
  /** Target cluster. @default - the profile of the storage tier's StorageClassPack */
  readonly profile?: Profile;
  /** The kubelet's `--cluster-domain`, which the pool's member names and `endpoint` end in. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Data claim retention on delete and scale-down. @default Retain/Retain (the claims are the objects) */
  readonly claimRetention?: ClaimRetention;
  /**
   * How image and config changes roll out. `rollingUpdate({ partition: n })` updates only ordinals ≥ n
   * first, as a canary.
   * @default UpdateStrategy.rollingUpdate({ maxUnavailable }) with as many members as the pool can lose and keep
   * write quorum (minioTolerableOutages; applied where the version has StatefulSet maxUnavailable, else one at a time)
   */
  readonly updateStrategy?: UpdateStrategy;
}

/**
 * Members a MinIO pool of `servers` one-drive servers can lose and still write: the default STANDARD parity is
 * 1 (2-3 drives), 2 (4-5), 3 (6-7) or 4 (8+), and write quorum is drives - parity, plus one when parity is
 * half the drives (MinIO erasure-coding docs). 4 servers: 1; 6: 2; 8: 3; 16: 4.
 */
export function minioTolerableOutages(servers: number): number {
  if (servers < 2) return 0;
  const parity = servers >= 8 ? 4 : Math.floor(servers / 2);
  const writeQuorum = servers - parity + (parity * 2 === servers ? 1 : 0);
  return servers - writeQuorum;
}

/**
 * An S3-compatible object store (MinIO) as a StatefulSet: standalone, or one distributed server pool
 * whose members find each other through their stable per-pod DNS names. Every pod gets its own data
 * volume; a Job creates the buckets; only declared clients (`allowFrom`) may connect.
 */
export class ObjectStore extends Construct implements IPeerable, IServesTraffic {
  public readonly name: string;
  public readonly namespace: string;
  public readonly replicas: number;
  public readonly credentials: Credentials;
  public readonly buckets: readonly string[];
  public readonly apiPort = API_PORT;
  /** Console port, when the console is served. */
  public readonly consolePort?: number;
  public readonly workload: StatefulWorkload;
  /** Client Service (API and console). */
  public readonly service: WorkloadService;
  /** S3 endpoint clients use, e.g. `http://minio.ml-tracking.svc.cluster.local:9000` (`https://` with `tls`). */
  public readonly endpoint: string;
  /** TLS files and CA (when `tls` is set). */
  public readonly tls?: ServerTlsBinding;
  /** The Job creating the buckets, when there are buckets. */
  public readonly bucketJob?: k8s.KubeJob;
  private readonly clientImage: string;
  private readonly profile: Profile;
  private readonly grants = new Map<string, Credentials>();
  private readonly tlsSource?: ServerTls;
  private readonly caByNamespace = new Map<string, ClientCaRef>();

  constructor(scope: Construct, id: string, props: ObjectStoreProps) {
    super(scope, id);
    assertKnownProps(describeConstruct(this, 'ObjectStore'), props, OBJECT_STORE_PROPS);
    const profile = serviceProfile(this, props.profile, props.storage.tier);
    const tierProblem = tierProfileProblem(props.storage.tier, profile, 'storage tier');
    if (tierProblem) throw propsError(this, 'ObjectStore', tierProblem);
    this.name = props.name ?? 'minio';
    this.namespace = props.namespace;
    this.replicas = props.replicas ?? 1;
    this.credentials = props.credentials;
    this.buckets = [...(props.buckets ?? [])];
    if (!Number.isInteger(this.replicas) || this.replicas < 1 || (this.replicas > 1 && this.replicas < MIN_DISTRIBUTED_REPLICAS)) {
      throw propsError(this, 'ObjectStore', `replicas ${props.replicas} is not a MinIO topology: use 1 (standalone) or ${MIN_DISTRIBUTED_REPLICAS} or more ` +
        '(a distributed pool erasure-codes objects across at least four drives).');
    }
    const serveConsole = props.console ?? true;
    this.consolePort = serveConsole ? CONSOLE_PORT : undefined;
    const distributed = this.replicas > 1;

    // The distributed pool is named by MinIO's ellipsis syntax over the pods' stable DNS names,
    // which only exist under the headless Service: `<pod>.<headless Service's host>`.
    const identity = WorkloadIdentity.of({ name: this.name, namespace: this.namespace, clusterDomain: props.clusterDomain, appName: 'minio' });
    const scheme = props.tls ? 'https' : 'http';
    const drives = distributed
      ? `${scheme}://${this.name}-{0...${this.replicas - 1}}.${identity.serviceHost(identity.headlessServiceName)}${DATA_PATH}`
      : DATA_PATH;

    this.credentials.bind(this, this.namespace);
    if (props.tls) {
      // Clients connect to the client Service; the pool's members to each other's pod names.
      this.tlsSource = props.tls;
      this.tls = props.tls.bind(this, {
        name: this.name,
        namespace: this.namespace,
        dnsNames: [...identity.serviceNames(this.name), ...identity.serviceNames(identity.headlessServiceName), ...identity.podHosts(this.replicas)],
        labels: { ...identity.selectorLabels, ...MANAGED_BY_LABELS },
      });
    }
    const probe = (path: string) => (this.tls ? Probe.https(path, 'api') : Probe.http(path, 'api'));
    this.workload = new StatefulWorkload(this, 'Servers', {
      name: this.name,
      namespace: this.namespace,
      profile,
      appName: 'minio',
      component: 'object-store',
      replicas: this.replicas,
      clusterDomain: identity.clusterDomain,
      // Every member must be up before the pool reaches quorum and any pod turns Ready: ordered
      // start would wait forever on pod 0. Peers resolve each other before they are Ready.
      podManagementPolicy: distributed ? PodManagementPolicy.PARALLEL : PodManagementPolicy.ORDERED_READY,
      publishNotReadyAddresses: distributed,
      spread: distributed ? 'soft' : 'none',
      volumeClaims: [{ name: 'data', tier: props.storage.tier, size: props.storage.size }],
      claimRetention: props.claimRetention,
      updateStrategy: props.updateStrategy ?? (minioTolerableOutages(this.replicas) > 1
        ? UpdateStrategy.rollingUpdate({ maxUnavailable: minioTolerableOutages(this.replicas) })
        : undefined),
      containers: [{
        name: 'minio',
        image: props.image ?? MINIO_IMAGE,
        command: ['minio'],
        args: [
          'server', '--address', `:${API_PORT}`,
          ...(serveConsole ? ['--console-address', `:${CONSOLE_PORT}`] : []),
          ...(this.tls ? ['--certs-dir', CERTS_DIR] : []),
          drives,
        ],
        env: [
          this.credentials.envVar('MINIO_ROOT_USER', 'username'),
          this.credentials.envVar('MINIO_ROOT_PASSWORD', 'password'),
          // The certificate directory defaults to $HOME/.minio: keep it off the read-only root.
          { name: 'HOME', value: '/tmp' },
        ],
        ports: [
          { name: 'api', port: API_PORT },
          ...(serveConsole ? [{ name: 'console', port: CONSOLE_PORT }] : []),
        ],
        resources: props.resources,
        startupProbe: probe('/minio/health/live'),
        // Ready means this node can serve requests: in a distributed pool, that write quorum is met.
        readinessProbe: probe('/minio/health/ready'),
        livenessProbe: probe('/minio/health/live'),
        volumeMounts: [{ name: 'data', mountPath: DATA_PATH }, ...(this.tls ? [{ name: 'tls', mountPath: CERTS_DIR, readOnly: true }] : [])],
        writablePaths: ['/tmp'],
      }],
      ...(this.tls ? { volumes: [this.tls.volume('tls', { cert: 'public.crt', key: 'private.key', ca: 'CAs/ca.crt' })] } : {}),
    });
    this.service = this.workload.addClientService({ name: this.name, internalLoadBalancer: props.internalLoadBalancer });
    this.endpoint = `${scheme}://${this.service.host}:${API_PORT}`;

    this.clientImage = props.clientImage ?? MINIO_CLIENT_IMAGE;
    this.profile = profile;
    if (this.buckets.length) this.bucketJob = this.addSetupJob('Buckets', `${this.name}-buckets`, `${this.name}-buckets`, 'bucket-setup', this.buckets, []);
    this.validate(props);
  }

  /** `true` when the bucket Job creates `bucket`. */
  public hasBucket(bucket: string): boolean {
    return this.buckets.includes(bucket);
  }

  public asPeer(): WorkloadPeer {
    return this.workload.asPeer();
  }

  /**
   * Admits `peer` (MLflow, trainers, backup jobs, a notebook namespace) to the S3 API port; every
   * undeclared client is denied. The console is admitted separately (`allowConsoleFrom`): S3 clients
   * do not need the administration UI.
   */
  public allowFrom(peer: PeerLike): void {
    this.workload.allowFrom(peer, [API_PORT]);
  }

  /**
   * Admits `peer` (typically an ingress controller's namespace, `NetworkPeer.namespace('ingress-nginx')`)
   * to the web console. Restricts ingress like `allowFrom`.
   */
  public allowConsoleFrom(peer: PeerLike): void {
    if (this.consolePort === undefined) {
      throw new Error(`${describeConstruct(this, 'ObjectStore')} does not serve the console (console: false): set console: true or admit the API with allowFrom.`);
    }
    this.workload.allowFrom(peer, [this.consolePort]);
  }

  /**
   * A MinIO user limited to `access`: its own key pair by reference (default: the Secret
   * `<store>-<user>`, username = access key, password = secret key) and a policy of exactly those
   * actions. A Job (`<store>-user-<user>`) creates both with the root key, which no consumer ever
   * gets. The Secret must exist in the store's namespace (for the Job) and in the consumer's; the
   * consumer uses the returned credentials.
   */
  public grant(user: string, access: readonly BucketAccess[], credentials?: Credentials): Credentials {
    if (!isDns1123Label(user, MAX_USER_NAME)) {
      throw propsError(this, 'ObjectStore', `user '${user}' is not a DNS-1123 label of at most 40 characters; name it after its consumer, e.g. 'mlflow'.`);
    }
    if (this.grants.has(user)) throw propsError(this, 'ObjectStore', `user '${user}' is granted twice: grant it once with every BucketAccess it needs.`);
    const missing = access.filter((a) => !this.hasBucket(a.bucket)).map((a) => a.bucket);
    if (missing.length) {
      throw propsError(this, 'ObjectStore', `user '${user}' is granted bucket '${missing.join("', '")}', which the store does not create (its buckets: ${this.buckets.join(', ') || 'none'}): add it to buckets.`);
    }
    if (!access.length) throw propsError(this, 'ObjectStore', `user '${user}' is granted nothing: pass at least one BucketAccess.`);
    const keys = credentials ?? Credentials.existingSecret(`${this.name}-${user}`);
    if (keys.secretName === this.credentials.secretName) {
      throw propsError(this, 'ObjectStore', `user '${user}' would use the root credentials '${keys.secretName}': give it a Secret of its own.`);
    }
    keys.bind(this, this.namespace);
    const policyName = `${this.name}-${user}`;
    this.grants.set(user, keys);
    this.addSetupJob(`User-${user}`, `${this.name}-user-${user}`, `${this.name}-users`, 'user-setup', [], [
      { name: 'GRANT_POLICY_NAME', value: policyName },
      { name: 'GRANT_POLICY', value: bucketPolicyDocument(access) },
      keys.envVar('GRANT_ACCESS_KEY', 'username'),
      keys.envVar('GRANT_SECRET_KEY', 'password'),
    ]);
    return keys;
  }

  /** Users created by `grant`, with their credentials. */
  public get users(): ReadonlyMap<string, Credentials> {
    return this.grants;
  }

  /**
   * With `tls`, where a client in `namespace` finds the CA that verifies the store: the store's Secret in
   * its own namespace; elsewhere a Secret `<store>-ca` (with cert-manager, from a client Certificate of the
   * same issuer rendered under `scope`, once per namespace). `undefined` without TLS.
   */
  public clientCa(scope: Construct, namespace: string): ClientCaRef | undefined {
    if (!this.tls || !this.tlsSource) return undefined;
    let ca = this.caByNamespace.get(namespace);
    if (!ca) {
      ca = this.tlsSource.clientCa(new Construct(scope, `${this.name}-ca`), this.tls, { name: `${this.name}-ca`, namespace, serverNamespace: this.namespace });
      this.caByNamespace.set(namespace, ca);
    }
    return ca;
  }

  /** A Job running the setup script with the root key: bucket creation, or one scoped user. */
  private addSetupJob(id: string, base: string, appName: string, component: string, buckets: readonly string[], extraEnv: readonly k8s.EnvVar[]): k8s.KubeJob {
    const labels = {
      'app.kubernetes.io/name': appName,
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/component': component,
      ...MANAGED_BY_LABELS,
    };
    this.allowFrom({ namespace: this.namespace, podSelector: labels });
    // With TLS, mc verifies the store against its CA, mounted where mc trusts CAs.
    const caMount = this.tls ? mcTrustedCa(this.tls.ca) : undefined;
    const template: k8s.PodTemplateSpec = {
      metadata: { labels },
      spec: buildPodSpec({
        restartPolicy: 'OnFailure',
        ...(caMount ? { volumes: [caMount.volume] } : {}),
        containers: [{
          name: component === 'bucket-setup' ? 'create-buckets' : 'create-user',
          image: this.clientImage,
          command: ['/bin/sh', '-c', readAsset(__dirname, 'scripts/minio-create-buckets.sh'), 'minio-create-buckets', ...buckets],
          env: [
            { name: 'MINIO_ENDPOINT', value: this.endpoint },
            this.credentials.envVar('MINIO_ROOT_USER', 'username'),
            this.credentials.envVar('MINIO_ROOT_PASSWORD', 'password'),
            { name: 'MC_CONFIG_DIR', value: MC_CONFIG_DIR },
            ...extraEnv,
          ],
          resources: { cpu: '50m', memory: '64Mi' },
          ...(caMount ? { volumeMounts: [caMount.volumeMount] } : {}),
          writablePaths: ['/tmp'],
        }],
      }, this.profile),
    };
    return new k8s.KubeJob(this, id, {
      metadata: {
        // A Job's pod template is immutable: other buckets, another policy or another mc image make a new Job.
        name: contentVersionedName(base, template),
        namespace: this.namespace,
        labels,
        // Under Argo CD the Job is a Sync hook, replaced and re-run on every sync (the script is idempotent).
        annotations: {
          'argocd.argoproj.io/hook': 'Sync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
        },
      },
      spec: {
        backoffLimit: 6,
        // The finished Job (and the ones of earlier renders) go after a day.
        ttlSecondsAfterFinished: 86400,
        template,
      },
    });
  }

  private validate(props: ObjectStoreProps): void {
    const bad = this.buckets.filter((b) => !BUCKET_NAME.test(b) || b.includes('..'));
    if (bad.length) {
      throw propsError(this, 'ObjectStore', `invalid bucket name(s) ${bad.map((b) => `'${b}'`).join(', ')}: ` +
        "use 3–63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit (e.g. 'ml-artifacts').");
    }
    const duplicates = this.buckets.filter((b, i) => this.buckets.indexOf(b) !== i);
    if (duplicates.length) throw propsError(this, 'ObjectStore', `bucket '${duplicates[0]}' is listed twice: list each bucket once.`);
    addProblems(this, () => {
      const problem = props.clientImage !== undefined ? imageProblem(props.clientImage) : undefined;
      return problem ? [`bucket Job: ${problem}`] : [];
    });
  }
}

/** Keys of ObjectStoreProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const OBJECT_STORE_PROPS = propNames<ObjectStoreProps>({ name: true, namespace: true, replicas: true, storage: true, buckets: true, credentials: true, console: true, internalLoadBalancer: true, image: true, clientImage: true, resources: true, profile: true, clusterDomain: true, claimRetention: true, updateStrategy: true, tls: true });
