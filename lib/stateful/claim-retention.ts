/** What happens to claims when the StatefulSet is deleted or scaled down. */
export interface ClaimRetention {
  /** @default 'Retain' */
  readonly whenDeleted?: 'Retain' | 'Delete';
  /** @default 'Retain' */
  readonly whenScaled?: 'Retain' | 'Delete';
}
