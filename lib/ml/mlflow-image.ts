import { DatabaseFamily } from '../databases/database';
import { RunAs } from '../stateful';

/** MLflow version of the default images. */
export const MLFLOW_VERSION = '2.22.1';

/** Python DB-API driver SQLAlchemy needs for each database family (MLflow's default dialects). */
export const MLFLOW_DATABASE_DRIVERS: Readonly<Record<DatabaseFamily, string>> = {
  postgres: 'psycopg2',
  mysql: 'pymysql',
  mariadb: 'pymysql',
};

/** What an MLflow image runs as and which optional Python packages it bundles. */
export interface MlflowImageOptions {
  /**
   * Optional packages installed in the image: database drivers (`psycopg2`, `pymysql`) and storage
   * SDKs (`boto3`, `google-cloud-storage`, `azure-storage-blob`). Checked against the backend and the
   * artifact store, because the server cannot install anything at start (read-only root filesystem,
   * and pulling from PyPI on every pod start is neither reproducible nor allowed in many clusters).
   */
  readonly packages: readonly string[];
  /** uid/gid the image's files are readable by. @default - uid/gid 1000 */
  readonly runAs?: RunAs;
}

/**
 * The MLflow server image. The official `ghcr.io/mlflow/mlflow` image ships MLflow alone: no
 * PostgreSQL/MySQL driver, no boto3. A server with a SQL backend needs an image that bundles them —
 * build one from the official image with pinned packages, e.g.
 *
 * ```Dockerfile
 * FROM ghcr.io/mlflow/mlflow:v2.22.1
 * RUN pip install --no-cache-dir psycopg2-binary==2.9.10 boto3==1.38.23
 * ```
 *
 * and pass `MlflowImage.custom('registry.example.com/mlflow:2.22.1-pg-s3', { packages: ['psycopg2', 'boto3'] })`,
 * or use `MlflowImage.community()`, the community-charts image that bundles every driver and SDK.
 */
export class MlflowImage {
  /** `ghcr.io/mlflow/mlflow:v<version>`: MLflow alone, usable only with custom packages added by you. */
  public static official(version: string = MLFLOW_VERSION): MlflowImage {
    return new MlflowImage(`ghcr.io/mlflow/mlflow:v${checkVersion(version)}`, { packages: [] });
  }

  /**
   * `ghcr.io/burakince/mlflow:<version>` (the image of the community-charts MLflow Helm chart): MLflow with
   * psycopg2, pymysql, boto3, google-cloud-storage and azure-storage-blob, running as uid/gid 1001.
   * The default: it works with every backend and artifact store without a build step. Mirror it (or
   * build your own from the official image) for production registries.
   */
  public static community(version: string = MLFLOW_VERSION): MlflowImage {
    return new MlflowImage(`ghcr.io/burakince/mlflow:${checkVersion(version)}`, {
      packages: ['psycopg2', 'pymysql', 'boto3', 'google-cloud-storage', 'azure-storage-blob'],
      runAs: { uid: 1001, gid: 1001 },
    });
  }

  /** An image you build, declaring the optional packages it bundles. */
  public static custom(image: string, options: MlflowImageOptions): MlflowImage {
    return new MlflowImage(image, options);
  }

  public readonly packages: readonly string[];
  public readonly runAs?: RunAs;

  private constructor(public readonly image: string, options: MlflowImageOptions) {
    this.packages = [...options.packages];
    this.runAs = options.runAs;
  }

  /** Packages of `required` the image does not bundle. */
  public missing(required: readonly string[]): string[] {
    return required.filter((p) => !this.packages.includes(p));
  }
}

function checkVersion(version: string): string {
  const bare = version.replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+$/.test(bare)) {
    throw new Error(`MlflowImage: version '${version}' is not an MLflow release such as '${MLFLOW_VERSION}'.`);
  }
  return bare;
}
