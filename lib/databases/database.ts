import { Credentials } from '../secrets';
import type { DatabaseClientTls } from './database-tls';
import { IPeerable, IServesTraffic, PeerLike, WorkloadService } from '../stateful';

/** SQL engine families a database can be. */
export type DatabaseFamily = 'postgres' | 'mysql' | 'mariadb';

/** A database and user created on a database server for one consumer (MLflow, Feast). */
export interface DatabaseGrant {
  /** Engine family of the server (picks the SQLAlchemy dialect). */
  readonly family: DatabaseFamily;
  /** Database name. */
  readonly database: string;
  /** Login role/user of the consumer. */
  readonly user: string;
  /** The consumer's password (and username) Secret, bound in the consumer's namespace by the consumer. */
  readonly credentials: Credentials;
  /** Host consumers connect to (the read-write Service). */
  readonly host: string;
  /** Port of `host`. */
  readonly port: number;
  /**
   * SQLAlchemy URL with the password taken from the env var `passwordEnv` through Kubernetes
   * `$(VAR)` interpolation in env, e.g. `postgresql://mlflow:$(DB_PASSWORD)@host:5432/mlflow`.
   * The password is interpolated unescaped, so it must be URL-safe: only `A-Za-z0-9-._~`
   * (docs/credentials.md). Put the URL in an env var, never in args: the kubelet expands args into
   * the process command line, which every process on the node can read.
   */
  sqlalchemyUrl(passwordEnv: string): string;
  /**
   * Set when the server requires TLS: the URL then carries `sslmode=verify-full` and the CA path,
   * and the consumer mounts the CA with `tls.mount()`.
   * @default - none: the server does not use TLS
   */
  readonly tls?: DatabaseClientTls;
}

/** Options of `IDatabase.addDatabase()`. */
export interface AddDatabaseOptions {
  /** @default - the database name */
  readonly user?: string;
  /** @default - Credentials.existingSecret('<server>-<database>') with keys username/password */
  readonly credentials?: Credentials;
}

/**
 * What consumers (MLflow, Feast) need from a SQL database server, whether we run it
 * (StatefulDatabase) or it lives elsewhere (ExternalDatabase).
 */
export interface IDatabase extends IPeerable, IServesTraffic {
  /** Engine family of the server. */
  readonly family: DatabaseFamily;
  /** Namespace of the server. */
  readonly namespace: string;
  /** Stable DNS name of the primary. */
  readonly primaryHost: string;
  /** Service clients write through. */
  readonly readWriteService: WorkloadService;
  /** Service spreading reads over replicas, when there are replicas. @default - none when the server has no replicas */
  readonly readOnlyService?: WorkloadService;
  /** Port clients connect to. */
  readonly port: number;
  /** Superuser credentials of the server. */
  readonly credentials: Credentials;
  /**
   * Connections the server accepts (`max_connections`), so consumers can check their pools fit.
   * @default - unknown (e.g. a managed database): consumers cannot check
   */
  readonly maxConnections?: number;
  /** Creates a database and a user owning it for a consumer, idempotently at server start. */
  addDatabase(name: string, options?: AddDatabaseOptions): DatabaseGrant;
  /** Admits `peer` to the database port (and denies every undeclared client). */
  allowFrom(peer: PeerLike): void;
}
