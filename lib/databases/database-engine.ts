import { RunAs } from '../stateful';
import { DatabaseFamily } from './database';
import { ENGINE_DRIVERS, EngineDriver, EngineRelease } from './engines';

/**
 * A database engine and its pinned official image: `DatabaseEngine.postgres('16.4')`,
 * `DatabaseEngine.mysql('8.4.3')`, `DatabaseEngine.mariadb('11.4.4')`. The version is checked
 * by the StatefulDatabase that uses the engine, so the error can name the construct.
 */
export class DatabaseEngine implements EngineRelease {
  /** PostgreSQL `<major>.<minor>` (14–17) from the official Debian-based `postgres` image. */
  public static postgres(version: string): DatabaseEngine {
    return new DatabaseEngine(ENGINE_DRIVERS.postgres, version);
  }

  /** MySQL `<8.0|8.4>.<patch>` from the official `mysql` image (Oracle Linux based). */
  public static mysql(version: string): DatabaseEngine {
    return new DatabaseEngine(ENGINE_DRIVERS.mysql, version);
  }

  /** MariaDB `<10.6|10.11|11.4>.<patch>` from the official `mariadb` image (Ubuntu based). */
  public static mariadb(version: string): DatabaseEngine {
    return new DatabaseEngine(ENGINE_DRIVERS.mariadb, version);
  }

  /**
   * An engine run by `driver` (the factories above use `ENGINE_DRIVERS`): how a driver is tried before it joins
   * `ENGINE_DRIVERS`, e.g. a server that speaks an existing family's protocol.
   */
  public static fromDriver(driver: EngineDriver, version: string): DatabaseEngine {
    return new DatabaseEngine(driver, version);
  }

  public readonly family: DatabaseFamily;
  /** The pinned official image. */
  public readonly image: string;
  /** uid/gid the image's server runs as (the pod's fsGroup too). */
  public readonly runAs: RunAs;
  /** The server's port. */
  public readonly port: number;
  /** The exporter's metrics port. */
  public readonly metricsPort: number;
  /** Prometheus exporter sidecar image for this engine. */
  public readonly exporterImage: string;

  private constructor(
    /** What the library knows about the engine: layout, settings, probes, backups, supported props. */
    public readonly driver: EngineDriver,
    /** The version as given, e.g. `16.4`. */
    public readonly version: string,
  ) {
    this.family = driver.family;
    this.image = driver.image(version);
    this.runAs = driver.runAs;
    this.port = driver.port;
    this.metricsPort = driver.metricsPort;
    this.exporterImage = driver.exporterImage;
  }

  /** `PostgreSQL 16.4` */
  public get title(): string {
    return `${this.driver.title} ${this.version}`;
  }

  /** The major version: `16` for PostgreSQL 16.4, `8.4` for MySQL 8.4.3, `10.11` for MariaDB 10.11.9. */
  public get line(): string {
    return this.driver.line(this.version);
  }

  /**
   * Why the version cannot be used (not a pinned release, or a release line we do not generate
   * for), or undefined when it is fine.
   */
  public versionProblem(): string | undefined {
    const driver = this.driver;
    const supported = driver.supportedLines.map((l) => (l.minPatch ? `${l.line}.${l.minPatch}+` : l.line)).join(', ');
    const fix = `use a full release of a supported line (${supported}), e.g. DatabaseEngine.${driver.family}('${driver.exampleVersion}')`;
    const match = driver.pinnedVersion.exec(this.version);
    if (!match) {
      return `${driver.title} version '${this.version}' is not a pinned release: ${fix}`;
    }
    const supportedLine = driver.supportedLines.find((l) => l.line === this.line);
    if (!supportedLine || (supportedLine.minPatch !== undefined && Number(match[3]) < supportedLine.minPatch)) {
      return `unsupported ${driver.title} version '${this.version}': ${fix}`;
    }
    return undefined;
  }
}
