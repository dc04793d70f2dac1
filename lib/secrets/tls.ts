import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { addProblems } from '../private/errors';

/** The cert-manager Issuer or ClusterIssuer that signs server certificates. */
export interface IssuerRef {
  /** Issuer name. */
  readonly name: string;
  /** `Issuer` (same namespace as the server) or `ClusterIssuer`. @default 'ClusterIssuer' */
  readonly kind?: 'Issuer' | 'ClusterIssuer';
  /** API group of the issuer (external issuers have their own). @default 'cert-manager.io' */
  readonly group?: string;
}

/** Options of `ServerTls.certManager`. */
export interface CertManagerTlsOptions {
  /** Who signs the certificate. Its CA must be in the Secret's `ca.crt` (CA, Vault and self-signed issuers put it there). */
  readonly issuer: IssuerRef;
  /** Certificate lifetime, a Go duration. @default '2160h' (90 days) */
  readonly duration?: string;
  /** Renew this long before expiry, a Go duration. @default '360h' (15 days) */
  readonly renewBefore?: string;
}

/** Keys of a TLS Secret. */
export interface TlsSecretKeys {
  /** Server certificate (PEM, chain). @default 'tls.crt' */
  readonly certKey?: string;
  /** Private key (PEM). @default 'tls.key' */
  readonly keyKey?: string;
  /** CA certificate clients verify the server with (PEM). @default 'ca.crt' */
  readonly caKey?: string;
}

/** What a server is called: every name a client may connect to, for the certificate's SANs. */
export interface TlsServerIdentity {
  /** Workload name: the Secret is `<name>-tls` with cert-manager. */
  readonly name: string;
  /** Namespace of the server, its Secret and its Certificate. */
  readonly namespace: string;
  /** DNS names clients use: client/headless Service names and per-pod names, short and fully qualified. */
  readonly dnsNames: readonly string[];
  /** Labels of the Certificate. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Where a pod finds the TLS files once `ServerTlsBinding.volume` is mounted at `mountPath`. */
export const TLS_MOUNT_PATH = '/etc/tls';
const CERT_FILE = 'tls.crt';
const KEY_FILE = 'tls.key';
const CA_FILE = 'ca.crt';

/**
 * TLS for one server, from cert-manager or an existing Secret, used the same way by every engine
 * (Redis, PostgreSQL, MinIO): `bind()` it to the server's identity, mount `volume()` in the server
 * at `mountPath`, point the server at `certFile`/`keyFile`, and give clients `ca` (or `caVolume()`)
 * to verify it.
 */
export class ServerTls {
  /** A cert-manager Certificate signed by `issuer`, its SANs derived from the server's Service and pod names. */
  public static certManager(options: CertManagerTlsOptions): ServerTls {
    return new ServerTls(options, undefined, {});
  }

  /** A Secret you provide (certificate, key and CA under `keys`), valid for the server's DNS names. */
  public static existingSecret(secretName: string, keys: TlsSecretKeys = {}): ServerTls {
    return new ServerTls(undefined, secretName, keys);
  }

  private constructor(
    private readonly certManagerOptions: CertManagerTlsOptions | undefined,
    private readonly existingSecretName: string | undefined,
    private readonly keys: TlsSecretKeys,
  ) {}

  /** `true` when cert-manager issues the certificate. */
  public get isCertManager(): boolean {
    return this.certManagerOptions !== undefined;
  }

  /**
   * Where a client in `namespace` finds the CA that verifies the server bound as `server`. In the
   * server's namespace that is the server's Secret. Elsewhere (a Secret cannot be mounted across
   * namespaces): with cert-manager, a client Certificate `name` from the same issuer is rendered
   * under `scope` there, and its Secret's `ca.crt` is the issuer's CA (with an `Issuer`, that
   * Issuer must exist in the client namespace too); with `existingSecret`, a Secret of the same
   * name and CA key that you create in the client namespace.
   */
  public clientCa(scope: Construct, server: ServerTlsBinding, client: { readonly name: string; readonly namespace: string; readonly serverNamespace: string }): { readonly secretName: string; readonly key: string } {
    const cm = this.certManagerOptions;
    if (!cm || client.namespace === client.serverNamespace) return server.ca;
    new ApiObject(scope, 'ClientCertificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: client.name, namespace: client.namespace },
      spec: {
        secretName: client.name,
        commonName: client.name,
        duration: cm.duration ?? '2160h',
        renewBefore: cm.renewBefore ?? '360h',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['client auth', 'digital signature'],
        issuerRef: { name: cm.issuer.name, kind: cm.issuer.kind ?? 'ClusterIssuer', group: cm.issuer.group ?? 'cert-manager.io' },
      },
    });
    return { secretName: client.name, key: CA_FILE };
  }

  /**
   * Binds the TLS source to a server: renders the Certificate (cert-manager) under `scope` and returns
   * the Secret, mount and file paths the server and its clients use.
   */
  public bind(scope: Construct, identity: TlsServerIdentity): ServerTlsBinding {
    const secretName = this.existingSecretName ?? `${identity.name}-tls`;
    const cm = this.certManagerOptions;
    if (cm) {
      const dnsNames = [...new Set(identity.dnsNames)];
      new ApiObject(scope, 'Certificate', {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: secretName, namespace: identity.namespace, ...(identity.labels ? { labels: { ...identity.labels } } : {}) },
        spec: {
          secretName,
          // No commonName: it is capped at 64 characters and ignored by clients that check SANs.
          dnsNames,
          duration: cm.duration ?? '2160h',
          renewBefore: cm.renewBefore ?? '360h',
          // A new key at every renewal: a leaked key stops working at the next rotation.
          privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
          usages: ['server auth', 'digital signature', 'key encipherment'],
          issuerRef: { name: cm.issuer.name, kind: cm.issuer.kind ?? 'ClusterIssuer', group: cm.issuer.group ?? 'cert-manager.io' },
        },
      });
      addProblems(scope, () => (dnsNames.length === 0 ? ['ServerTls.certManager: the server has no DNS name to put in the certificate'] : []));
    }
    return new ServerTlsBinding(secretName, {
      cert: this.keys.certKey ?? CERT_FILE,
      key: this.keys.keyKey ?? KEY_FILE,
      ca: this.keys.caKey ?? CA_FILE,
    });
  }
}

/** A `ServerTls` bound to one server: the Secret, its keys and where pods find the files. */
export class ServerTlsBinding {
  /** Directory the files are mounted in. */
  public readonly mountPath = TLS_MOUNT_PATH;

  /** @internal */
  constructor(
    /** Secret holding certificate, key and CA. */
    public readonly secretName: string,
    private readonly keys: { readonly cert: string; readonly key: string; readonly ca: string },
  ) {}

  /** Server certificate file. */
  public get certFile(): string {
    return `${this.mountPath}/${CERT_FILE}`;
  }

  /** Server private key file. */
  public get keyFile(): string {
    return `${this.mountPath}/${KEY_FILE}`;
  }

  /** CA file, in the server pod and in a client pod that mounts `caVolume()` at `mountPath`. */
  public get caFile(): string {
    return `${this.mountPath}/${CA_FILE}`;
  }

  /** Where the CA is: what a client needs to verify the server (`secretName`, and the `key` holding the PEM). */
  public get ca(): { readonly secretName: string; readonly key: string } {
    return { secretName: this.secretName, key: this.keys.ca };
  }

  /**
   * The server's volume: certificate, key and CA (mode 0440: group-readable for the fsGroup), under the
   * file names of `certFile`/`keyFile`/`caFile`, or under `paths` for a server that expects its own.
   */
  public volume(name = 'tls', paths: { readonly cert?: string; readonly key?: string; readonly ca?: string } = {}): k8s.Volume {
    return {
      name,
      secret: {
        secretName: this.secretName,
        defaultMode: 0o440,
        items: [
          { key: this.keys.cert, path: paths.cert ?? CERT_FILE },
          { key: this.keys.key, path: paths.key ?? KEY_FILE },
          { key: this.keys.ca, path: paths.ca ?? CA_FILE },
        ],
      },
    };
  }

  /** A client's volume: only the CA (no private key leaves the server's pods). */
  public caVolume(name = 'tls-ca'): k8s.Volume {
    return { name, secret: { secretName: this.secretName, defaultMode: 0o444, items: [{ key: this.keys.ca, path: CA_FILE }] } };
  }

  /** Mount of `volume()` or `caVolume()` at `mountPath`, read-only. */
  public volumeMount(name = 'tls'): k8s.VolumeMount {
    return { name, mountPath: this.mountPath, readOnly: true };
  }
}
