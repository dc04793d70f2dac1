import { DatabaseFamily } from './database';
import { ENGINE_DRIVERS, EngineDriver } from './engines';

/**
 * A SQLAlchemy URL whose password is the Kubernetes `$(VAR)` reference to `passwordEnv`, so the
 * password is substituted by the kubelet from a secretKeyRef env var and never written out.
 * The dialect+driver is the engine's default (psycopg2, PyMySQL: what MLflow and Feast ship).
 * The password must be URL-safe (no '@', ':', '/', '%').
 */
export function sqlalchemyUrl(engine: DatabaseFamily | EngineDriver, user: string, passwordEnv: string, host: string, port: number, database: string): string {
  const driver = typeof engine === 'string' ? ENGINE_DRIVERS[engine] : engine;
  return `${driver.sqlalchemySchemes.default}://${user}:$(${passwordEnv})@${host}:${port}/${database}`;
}
