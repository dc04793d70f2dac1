import type { DatabaseFamily } from '../database';
import type { EngineDriver } from './engine-driver';
import { MARIADB_DRIVER, MYSQL_DRIVER } from './mysql-family';
import { POSTGRES_DRIVER } from './postgres';

export * from './engine-driver';
export { renderPgHba } from './postgres';
export { innodbBufferPoolMiB, innodbShutdownSeconds } from './mysql-family';

/**
 * The driver of every engine family. Keyed by the `DatabaseFamily` union: a family added to the union without a
 * driver here, or a driver missing a member, does not compile.
 */
export const ENGINE_DRIVERS: { readonly [F in DatabaseFamily]: EngineDriver } = {
  postgres: POSTGRES_DRIVER,
  mysql: MYSQL_DRIVER,
  mariadb: MARIADB_DRIVER,
};
