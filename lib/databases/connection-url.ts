import { DatabaseFamily } from './database';

/** SQLAlchemy dialect+driver of each family (psycopg2 and PyMySQL, what MLflow and Feast ship). */
const DIALECT: Record<DatabaseFamily, string> = {
  postgres: 'postgresql',
  mysql: 'mysql+pymysql',
  mariadb: 'mysql+pymysql',
};

/**
 * A SQLAlchemy URL whose password is the Kubernetes `$(VAR)` reference to `passwordEnv`, so the
 * password is substituted by the kubelet from a secretKeyRef env var and never written out.
 * The password must be URL-safe (no '@', ':', '/', '%').
 */
export function sqlalchemyUrl(family: DatabaseFamily, user: string, passwordEnv: string, host: string, port: number, database: string): string {
  return `${DIALECT[family]}://${user}:$(${passwordEnv})@${host}:${port}/${database}`;
}
