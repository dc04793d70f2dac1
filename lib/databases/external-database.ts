import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { Credentials } from '../secrets';
import { propsError } from '../private/errors';
import { MANAGED_BY_LABELS, isDns1123Label, isDns1123Subdomain } from '../names';
import { IServesTraffic, NetworkPeer, PeerLike, WorkloadPeer, WorkloadService } from '../stateful';
import { sqlalchemyUrl } from './connection-url';
import { AddDatabaseOptions, DatabaseFamily, DatabaseGrant, IDatabase } from './database';
import { ENGINE_DRIVERS } from './engines';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A database server outside the cluster (Cloud SQL, RDS, Azure Database) and where its logins are. */
export interface ExternalDatabaseProps {
  /** Engine family: picks the SQLAlchemy dialect and the default port. */
  readonly family: DatabaseFamily;
  /** DNS name of the server's read-write endpoint, e.g. `mlflow.abc123.eu-west-1.rds.amazonaws.com`. */
  readonly host: string;
  /** @default - the family's port (5432 PostgreSQL, 3306 MySQL/MariaDB) */
  readonly port?: number;
  /**
   * Namespace of the in-cluster `ExternalName` Service that gives the server a stable cluster name
   * (`<name>.<namespace>.svc.cluster.local`), usually the consumers' namespace.
   */
  readonly namespace: string;
  /** Name of that Service (a DNS-1123 label). */
  readonly name: string;
  /**
   * The login consumers use (username/password keys), by reference; `addDatabase` grants use it
   * unless they name their own. An admin login, if you have one, never needs to be in the cluster.
   */
  readonly credentials: Credentials;
  /**
   * Query parameters appended to every SQLAlchemy URL, e.g. `{ sslmode: 'require' }` for PostgreSQL.
   * @default - none
   */
  readonly urlParameters?: Readonly<Record<string, string>>;
}

/**
 * A database server that lives outside the cluster, behind the same `IDatabase` contract as a
 * StatefulDatabase, so MLflow or Feast can use either. Nothing is created on the server: the
 * databases and logins `addDatabase` names must already exist (Terraform, your DBA), and its
 * firewall (security group, authorized networks) — not a NetworkPolicy — decides who may connect.
 */
export class ExternalDatabase extends Construct implements IDatabase, IServesTraffic {
  /**
   * The server at `props.host`, whose consumers log in with the Secret `props.credentials`.
   */
  public static fromSecret(scope: Construct, id: string, props: ExternalDatabaseProps): ExternalDatabase {
    return new ExternalDatabase(scope, id, props);
  }

  public readonly family: DatabaseFamily;
  public readonly namespace: string;
  /** The server's own DNS name (consumers connect to it directly, so TLS hostname checks pass). */
  public readonly primaryHost: string;
  /** An `ExternalName` Service resolving to the server, for in-cluster discovery. */
  public readonly readWriteService: WorkloadService;
  public readonly readOnlyService?: WorkloadService = undefined;
  public readonly port: number;
  public readonly credentials: Credentials;
  private readonly urlParameters: Readonly<Record<string, string>>;
  private readonly grants = new Map<string, DatabaseGrant>();
  private readonly declaredSources: NetworkPeer[] = [];

  private constructor(scope: Construct, id: string, props: ExternalDatabaseProps) {
    super(scope, id);
    this.family = props.family;
    this.namespace = props.namespace;
    this.port = props.port ?? ENGINE_DRIVERS[props.family].port;
    this.credentials = props.credentials;
    if (!isDns1123Subdomain(props.host.toLowerCase())) {
      throw propsError(this, 'ExternalDatabase', `host '${props.host}' is not a DNS name: give the server's endpoint, e.g. 'mlflow.abc123.eu-west-1.rds.amazonaws.com'.`);
    }
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      throw propsError(this, 'ExternalDatabase', `port ${props.port} is not a TCP port (1–65535).`);
    }
    if (!isDns1123Label(props.name)) {
      throw propsError(this, 'ExternalDatabase', `Service name '${props.name}' is not a DNS-1123 label (lower-case letters, digits, '-', at most 63 characters).`);
    }
    this.primaryHost = props.host.toLowerCase();
    this.urlParameters = props.urlParameters ?? {};

    const ports: k8s.ServicePort[] = [{ name: 'sql', port: this.port, targetPort: k8s.IntOrString.fromNumber(this.port), protocol: 'TCP' }];
    const resource = new k8s.KubeService(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/name': props.name, ...MANAGED_BY_LABELS },
      },
      spec: { type: 'ExternalName', externalName: this.primaryHost, ports },
    });
    this.readWriteService = {
      name: props.name,
      namespace: this.namespace,
      host: `${props.name}.${this.namespace}.svc.cluster.local`,
      ports,
      selector: {},
      resource,
    };
  }

  /**
   * The grant for database `name`, which must already exist on the server with its login. The same
   * name twice returns the same grant.
   */
  public addDatabase(name: string, options: AddDatabaseOptions = {}): DatabaseGrant {
    const user = options.user ?? name;
    for (const [what, value] of [['database', name], ['user', user]] as const) {
      if (!IDENTIFIER.test(value)) {
        throw propsError(this, 'ExternalDatabase', `${what} name '${value}' must be a lower-case SQL identifier (letters, digits, '_', at most 63 characters).`);
      }
    }
    const existing = this.grants.get(name);
    if (existing) {
      if (existing.user !== user) throw propsError(this, 'ExternalDatabase', `database '${name}' was already granted to user '${existing.user}', not '${user}'.`);
      return existing;
    }
    const host = this.primaryHost;
    const port = this.port;
    const query = Object.entries(this.urlParameters).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const family = this.family;
    const grant: DatabaseGrant = {
      family,
      database: name,
      user,
      credentials: options.credentials ?? this.credentials,
      host,
      port,
      sqlalchemyUrl: (passwordEnv: string) => sqlalchemyUrl(family, user, passwordEnv, host, port, name) + (query ? `?${query}` : ''),
    };
    this.grants.set(name, grant);
    return grant;
  }

  /** Records `peer` as a client. The server's own firewall must admit the cluster's egress addresses. */
  public allowFrom(peer: PeerLike): void {
    this.declaredSources.push(NetworkPeer.of(peer));
  }

  /** The pods declared as clients with `allowFrom`, for documentation and firewall rules. */
  public get clients(): readonly WorkloadPeer[] {
    return this.declaredSources.flatMap((source) => (source.pods ? [source.pods] : []));
  }

  /** Every source declared with `allowFrom`, address ranges included. */
  public get sources(): readonly NetworkPeer[] {
    return [...this.declaredSources];
  }

  /** No pods of its own run in the cluster: as a peer it names nothing but its Service's namespace. */
  public asPeer(): WorkloadPeer {
    return { namespace: this.namespace, podSelector: { 'app.kubernetes.io/name': this.readWriteService.name } };
  }
}
