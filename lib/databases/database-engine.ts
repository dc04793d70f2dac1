import { RunAs } from '../stateful';
import { DatabaseFamily } from './database';

/** A release line of an engine we generate configuration and scripts for. */
interface SupportedLine {
  /** `16` for PostgreSQL, `8.4` for MySQL, `11.4` for MariaDB. */
  readonly line: string;
  /** Lowest patch release our scripts and configuration work with. @default 0 */
  readonly minPatch?: number;
}

const SUPPORTED: Record<DatabaseFamily, readonly SupportedLine[]> = {
  // pg_basebackup -R writing postgresql.auto.conf + standby.signal needs 12+; psql's \gexec 9.6+.
  postgres: [{ line: '14' }, { line: '15' }, { line: '16' }, { line: '17' }],
  // CHANGE REPLICATION SOURCE and --skip-replica-start need 8.0.26, innodb_redo_log_capacity 8.0.30.
  mysql: [{ line: '8.0', minPatch: 30 }, { line: '8.4' }],
  // The long-term-support series; CREATE USER IF NOT EXISTS and binlog_expire_logs_seconds need 10.6.
  mariadb: [{ line: '10.6' }, { line: '10.11' }, { line: '11.4' }],
};

const TITLE: Record<DatabaseFamily, string> = { postgres: 'PostgreSQL', mysql: 'MySQL', mariadb: 'MariaDB' };
const EXAMPLE: Record<DatabaseFamily, string> = { postgres: '16.4', mysql: '8.4.3', mariadb: '11.4.4' };

/** Prometheus exporter images, pinned. */
const EXPORTER_IMAGE: Record<DatabaseFamily, string> = {
  postgres: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0',
  mysql: 'prom/mysqld-exporter:v0.15.1',
  mariadb: 'prom/mysqld-exporter:v0.15.1',
};

/**
 * A database engine and its pinned official image: `DatabaseEngine.postgres('16.4')`,
 * `DatabaseEngine.mysql('8.4.3')`, `DatabaseEngine.mariadb('11.4.4')`. The version is checked
 * by the StatefulDatabase that uses the engine, so the error can name the construct.
 */
export class DatabaseEngine {
  /** PostgreSQL `<major>.<minor>` (14–17) from the official Debian-based `postgres` image. */
  public static postgres(version: string): DatabaseEngine {
    return new DatabaseEngine('postgres', version, `postgres:${version}-bookworm`, { uid: 999, gid: 999 }, 5432, 9187);
  }

  /** MySQL `<8.0|8.4>.<patch>` from the official `mysql` image (Oracle Linux based). */
  public static mysql(version: string): DatabaseEngine {
    return new DatabaseEngine('mysql', version, `mysql:${version}`, { uid: 999, gid: 999 }, 3306, 9104);
  }

  /** MariaDB `<10.6|10.11|11.4>.<patch>` from the official `mariadb` image (Ubuntu based). */
  public static mariadb(version: string): DatabaseEngine {
    return new DatabaseEngine('mariadb', version, `mariadb:${version}`, { uid: 999, gid: 999 }, 3306, 9104);
  }

  /** Prometheus exporter sidecar image for this engine. */
  public readonly exporterImage: string;

  private constructor(
    public readonly family: DatabaseFamily,
    /** The version as given, e.g. `16.4`. */
    public readonly version: string,
    /** The pinned official image. */
    public readonly image: string,
    /** uid/gid the image's server runs as (the pod's fsGroup too). */
    public readonly runAs: RunAs,
    /** The server's port. */
    public readonly port: number,
    /** The exporter's metrics port. */
    public readonly metricsPort: number,
  ) {
    this.exporterImage = EXPORTER_IMAGE[family];
  }

  /** `PostgreSQL 16.4` */
  public get title(): string {
    return `${TITLE[this.family]} ${this.version}`;
  }

  /** `true` for MySQL and MariaDB (the mysqld family of scripts and configuration). */
  public get isMysqlFamily(): boolean {
    return this.family !== 'postgres';
  }

  /** The major version: `16` for PostgreSQL 16.4, `8.4` for MySQL 8.4.3, `10.11` for MariaDB 10.11.9. */
  public get line(): string {
    const parts = this.version.split('.');
    return this.family === 'postgres' ? parts[0] : parts.slice(0, 2).join('.');
  }

  /**
   * Why the version cannot be used (not a pinned release, or a release line we do not generate
   * for), or undefined when it is fine.
   */
  public versionProblem(): string | undefined {
    const family = this.family;
    const pinned = family === 'postgres' ? /^(\d+)\.(\d+)$/ : /^(\d+)\.(\d+)\.(\d+)$/;
    const lines = SUPPORTED[family];
    const supported = lines.map((l) => (l.minPatch ? `${l.line}.${l.minPatch}+` : l.line)).join(', ');
    const fix = `use a full release of a supported line (${supported}), e.g. DatabaseEngine.${family}('${EXAMPLE[family]}')`;
    const match = pinned.exec(this.version);
    if (!match) {
      return `${TITLE[family]} version '${this.version}' is not a pinned release: ${fix}`;
    }
    const supportedLine = lines.find((l) => l.line === this.line);
    if (!supportedLine) {
      return `unsupported ${TITLE[family]} version '${this.version}': ${fix}`;
    }
    if (supportedLine.minPatch !== undefined && Number(match[3]) < supportedLine.minPatch) {
      return `unsupported ${TITLE[family]} version '${this.version}': ${fix}`;
    }
    return undefined;
  }
}
