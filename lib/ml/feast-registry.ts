import { Construct } from 'constructs';
import { DatabaseGrant, IDatabase } from '../databases/database';
import { ENGINE_DRIVERS } from '../databases/engines';
import { k8s } from '../k8s';
import { crossAppProblem } from '../profiles';
import { Credentials } from '../secrets';
import { WorkloadPeer } from '../stateful';
import { Quantity } from '../storage/quantity';
import { StorageTier } from '../storage/storage-class-pack';
import { FeastRegistryConfig } from './feast-config';
import { propsError } from '../private/errors';

/** Options of `Registry.sql()`. */
export interface SqlRegistryOptions {
  /** Database created for the registry on the server. @default 'feast' */
  readonly database?: string;
  /** Its owner. @default - the database name */
  readonly user?: string;
  /** Password Secret of that user. @default - the server's default for new databases */
  readonly credentials?: Credentials;
}

/** Options of `Registry.file()`. */
export interface FileRegistryOptions {
  /** Tier of the claim. A ReadWriteOnce tier limits the feature server to one replica. */
  readonly tier: StorageTier;
  /** Claim size, a Kubernetes quantity. @default - 1Gi, or the tier's minimum size when larger (e.g. Filestore: 1Ti) */
  readonly size?: string;
}

/** What the feature server needs to reach a registry, produced by `Registry.bind()`. */
export interface RegistryBinding {
  /** The `registry:` block of feature_store.yaml. */
  readonly config: FeastRegistryConfig;
  /** Env vars, in order (later ones may reference earlier ones with `$(VAR)`). */
  readonly env: readonly k8s.EnvVar[];
  /** Pod volumes the registry needs (the file registry's claim). */
  readonly volumes: readonly k8s.Volume[];
  /** Mounts of `volumes` in the feature server container. */
  readonly volumeMounts: readonly k8s.VolumeMount[];
  /** `false` when every replica would need the same ReadWriteOnce claim. */
  readonly allowsManyReplicas: boolean;
  /** The grant, for a SQL registry. @default - none (a file registry) */
  readonly grant?: DatabaseGrant;
}

/** Where the feature server reads the registry from, when `Registry.bind()` is called. */
export interface RegistryBindContext {
  /** Scope to create claims and ExternalSecrets under. */
  readonly scope: Construct;
  /** Namespace of the feature server. */
  readonly namespace: string;
  /** Name prefix of objects the registry creates (`<name>-registry`). */
  readonly name: string;
  /** Pods that read the registry (admitted by the database). */
  readonly peer: WorkloadPeer;
  /** Labels of objects the registry creates. */
  readonly labels: Readonly<Record<string, string>>;
}

const REGISTRY_DIR = '/var/lib/feast';
const PASSWORD_ENV = 'FEAST_REGISTRY_DB_PASSWORD';
const URL_ENV = 'FEAST_REGISTRY_URL';

/** The Feast registry (feature definitions): a database on a SQL server, or a file on a claim. */
export class Registry {
  /**
   * The SQL registry on `db`, in its own database and user (`db.addDatabase`). Concurrent
   * `feast apply` and materializations update single rows atomically; any number of feature
   * server replicas read it. The database admits the feature server pods.
   */
  public static sql(db: IDatabase, options: SqlRegistryOptions = {}): Registry {
    return new Registry('sql', db, options, undefined);
  }

  /**
   * A registry file on a claim: simple, but every change rewrites the whole file, and on a
   * ReadWriteOnce tier only one feature server pod can mount it.
   */
  public static file(options: FileRegistryOptions): Registry {
    Quantity.parse(registryClaimSize(options), 'registry claim size');
    return new Registry('file', undefined, undefined, options);
  }

  private bound?: RegistryBinding;

  /** Tier of a file registry's claim (undefined for a SQL registry). */
  public get tier(): StorageTier | undefined {
    return this.fileOptions?.tier;
  }

  private constructor(
    public readonly kind: 'sql' | 'file',
    /** The database server of a SQL registry. */
    public readonly database: IDatabase | undefined,
    private readonly sqlOptions: SqlRegistryOptions | undefined,
    private readonly fileOptions: FileRegistryOptions | undefined,
  ) {}

  /**
   * Creates what the registry needs for one feature store (its database grant or its claim) and
   * says how to mount it. A Registry serves one feature store: a second bind is an error.
   */
  public bind(context: RegistryBindContext, cacheTtlSeconds: number): RegistryBinding {
    if (this.bound) {
      throw new Error(`A Registry serves one FeatureStore; '${context.scope.node.path}' reuses one: create another Registry.${this.kind}(…).`);
    }
    const crossApp = crossAppProblem(context.scope, this.database, 'registry database');
    if (crossApp) throw propsError(context.scope, 'FeatureStore', `${crossApp}.`);
    this.bound = this.kind === 'sql' ? this.bindSql(context, cacheTtlSeconds) : this.bindFile(context, cacheTtlSeconds);
    return this.bound;
  }

  private bindSql(context: RegistryBindContext, cacheTtlSeconds: number): RegistryBinding {
    const db = this.database!;
    const options = this.sqlOptions ?? {};
    const grant = db.addDatabase(options.database ?? 'feast', {
      ...(options.user ? { user: options.user } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    grant.credentials.bind(context.scope, context.namespace);
    db.allowFrom(context.peer);
    // A TLS database: the URL says verify-full and names the CA file, mounted in the feature server.
    const ca = grant.tls?.mount(context.scope, context.namespace);
    return {
      config: { registryType: 'sql', path: `\${${URL_ENV}}`, cacheTtlSeconds },
      env: [
        grant.credentials.envVar(PASSWORD_ENV, 'password'),
        // Kubernetes substitutes $(FEAST_REGISTRY_DB_PASSWORD) here; Feast expands ${FEAST_REGISTRY_URL}.
        { name: URL_ENV, value: feastSqlalchemyUrl(grant, PASSWORD_ENV) },
      ],
      volumes: ca ? [ca.volume] : [],
      volumeMounts: ca ? [ca.volumeMount] : [],
      allowsManyReplicas: true,
      grant,
    };
  }

  private bindFile(context: RegistryBindContext, cacheTtlSeconds: number): RegistryBinding {
    const options = this.fileOptions!;
    const claimName = `${context.name}-registry`;
    new k8s.KubePersistentVolumeClaim(context.scope, 'RegistryClaim', {
      metadata: { name: claimName, namespace: context.namespace, labels: { ...context.labels } },
      spec: options.tier.claimSpec(registryClaimSize(options)),
    });
    return {
      config: { registryType: 'file', path: `${REGISTRY_DIR}/registry.db`, cacheTtlSeconds },
      env: [],
      volumes: [{ name: 'registry', persistentVolumeClaim: { claimName } }],
      volumeMounts: [{ name: 'registry', mountPath: REGISTRY_DIR }],
      allowsManyReplicas: options.tier.accessMode === 'ReadWriteMany',
    };
  }
}

/**
 * The grant's SQLAlchemy URL with the driver Feast ships (the engine's `sqlalchemySchemes.feast`): its `postgres`
 * extra installs psycopg 3, not psycopg2 (SQLAlchemy's default for `postgresql://`), so PostgreSQL URLs name
 * `+psycopg`; MySQL/MariaDB URLs keep PyMySQL, which Feast's `mysql` extra installs.
 */
export function feastSqlalchemyUrl(grant: DatabaseGrant, passwordEnv: string): string {
  const url = grant.sqlalchemyUrl(passwordEnv);
  return url.replace(/^[a-z0-9+_]+:\/\//, `${ENGINE_DRIVERS[grant.family].sqlalchemySchemes.feast}://`);
}

/** The registry file is tiny; 1Gi unless the tier provisions nothing that small. */
function registryClaimSize(options: { readonly tier: StorageTier; readonly size?: string }): string {
  if (options.size) return options.size;
  const minimum = options.tier.minimumSize;
  return minimum && Quantity.parse(minimum).value > Quantity.parse('1Gi').value ? minimum : '1Gi';
}
