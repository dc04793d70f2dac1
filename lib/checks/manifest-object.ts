/** The plain object shapes every check reads; kept apart so findings and the index can share them without a circle. */
import type { Labels } from './label-selector';

/** What `chart.toJson()` returns: a plain Kubernetes manifest object. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Labels;
    readonly annotations?: Labels;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** Loosely typed views of the fields the rules read; schema validation is what guarantees their shapes. */
export type Json = any;
