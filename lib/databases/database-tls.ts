import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { ServerTls, ServerTlsBinding } from '../secrets';

/** Where clients of a TLS database mount its CA (apart from /etc/tls, which other servers' CAs use). */
export const DATABASE_CA_DIR = '/etc/db-ca';
/** The CA file in a client that mounts `DatabaseClientTls.mount()`. */
export const DATABASE_CA_FILE = `${DATABASE_CA_DIR}/ca.crt`;

/** A client's view of a TLS database: the CA it mounts and the libpq settings that verify the server. */
export interface DatabaseClientMount {
  /** Volume with the CA only. */
  readonly volume: k8s.Volume;
  /** Its mount at `DATABASE_CA_DIR`, read-only. */
  readonly volumeMount: k8s.VolumeMount;
  /** `PGSSLMODE=verify-full` and `PGSSLROOTCERT`, for libpq tools (pg_dump, psql). */
  readonly env: k8s.EnvVar[];
}

/**
 * How clients verify a database server's certificate: `sslmode=verify-full` against the CA of the
 * server's `ServerTls`, mounted in the client's own namespace.
 */
export class DatabaseClientTls {
  /** libpq connection settings, also SQLAlchemy URL query parameters. */
  public static readonly PARAMS: Readonly<Record<string, string>> = { sslmode: 'verify-full', sslrootcert: DATABASE_CA_FILE };

  private readonly caByNamespace = new Map<string, { readonly secretName: string; readonly key: string }>();

  /** @internal */
  constructor(
    private readonly source: ServerTls,
    /** The server's binding (certificate, key and CA Secret in the server's namespace). */
    public readonly server: ServerTlsBinding,
    private readonly serverNamespace: string,
    private readonly serverName: string,
  ) {}

  /** `?sslmode=verify-full&sslrootcert=...`, appended to SQLAlchemy URLs. */
  public get urlQuery(): string {
    return `?${Object.entries(DatabaseClientTls.PARAMS).map(([k, v]) => `${k}=${v}`).join('&')}`;
  }

  /**
   * The CA volume, mount and env of a client in `namespace` (renders a client Certificate there under
   * `scope` when the server's certificate comes from cert-manager and the namespace is another one).
   */
  public mount(scope: Construct, namespace: string, volumeName = 'db-ca'): DatabaseClientMount {
    // One client Certificate per namespace, shared by every client there.
    let ca = this.caByNamespace.get(namespace);
    if (!ca) {
      ca = this.source.clientCa(scope, this.server, { name: `${this.serverName}-ca`, namespace, serverNamespace: this.serverNamespace });
      this.caByNamespace.set(namespace, ca);
    }
    return {
      volume: { name: volumeName, secret: { secretName: ca.secretName, defaultMode: 0o444, items: [{ key: ca.key, path: 'ca.crt' }] } },
      volumeMount: { name: volumeName, mountPath: DATABASE_CA_DIR, readOnly: true },
      env: [{ name: 'PGSSLMODE', value: 'verify-full' }, { name: 'PGSSLROOTCERT', value: DATABASE_CA_FILE }],
    };
  }
}
