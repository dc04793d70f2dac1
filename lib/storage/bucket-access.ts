/** One statement of an S3 bucket policy (the subset MinIO and AWS IAM share). */
export interface BucketPolicyStatement {
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: { readonly StringLike: { readonly 's3:prefix': readonly string[] } };
}

/**
 * What one consumer may do in one bucket, below an optional key prefix: the S3 actions of a
 * scoped object-store user (a MinIO user and its policy), never the root key.
 */
export class BucketAccess {
  /** Read, write and delete objects under `prefix` (an ML server's artifacts). */
  public static readWrite(bucket: string, prefix?: string): BucketAccess {
    return new BucketAccess('readWrite', bucket, prefix, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], []);
  }

  /** Read objects under `prefix` (training datasets). */
  public static readOnly(bucket: string, prefix?: string): BucketAccess {
    return new BucketAccess('readOnly', bucket, prefix, ['s3:GetObject'], []);
  }

  /**
   * A backup writer: upload and delete under `prefix` (pruning), and read only the `<stamp>.partial/`
   * staging objects it moves server-side into place. It cannot read a finished backup, which holds
   * the database's role password hashes.
   */
  public static backupWriter(bucket: string, prefix?: string): BucketAccess {
    return new BucketAccess('backupWriter', bucket, prefix, ['s3:PutObject', 's3:DeleteObject'], ['*.partial/*']);
  }

  private constructor(
    /** The factory, for messages and policy names. */
    public readonly kind: string,
    public readonly bucket: string,
    prefix: string | undefined,
    private readonly objectActions: readonly string[],
    /** Key patterns (below the prefix) that may also be read. */
    private readonly readablePatterns: readonly string[],
  ) {
    this.prefix = prefix?.replace(/^\/+|\/+$/g, '') || undefined;
  }

  /** Key prefix inside the bucket, without slashes at either end; undefined for the whole bucket. */
  public readonly prefix: string | undefined;

  /** Statements granting this access: list the prefix, act on its objects. */
  public statements(): BucketPolicyStatement[] {
    const keys = this.prefix ? `${this.prefix}/` : '';
    const bucketArn = `arn:aws:s3:::${this.bucket}`;
    return [
      { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: [bucketArn] },
      {
        Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn],
        ...(this.prefix ? { Condition: { StringLike: { 's3:prefix': [this.prefix, `${keys}*`] } } } : {}),
      },
      { Effect: 'Allow', Action: [...this.objectActions], Resource: [`${bucketArn}/${keys}*`] },
      ...(this.readablePatterns.length
        ? [{ Effect: 'Allow' as const, Action: ['s3:GetObject'], Resource: this.readablePatterns.map((p) => `${bucketArn}/${keys}${p}`) }]
        : []),
    ];
  }
}

/** The policy document of `access`, as MinIO's `mc admin policy create` reads it (deterministic JSON). */
export function bucketPolicyDocument(access: readonly BucketAccess[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: access.flatMap((a) => a.statements()) });
}
