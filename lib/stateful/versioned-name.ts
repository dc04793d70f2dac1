import { createHash } from 'crypto';

/**
 * `<base>-<8 hex digits of the content's hash>`: a name that changes whenever `content` does.
 * A Job's pod template is immutable, so a Job whose template changes (new image, new buckets) must
 * be a new Job: with a content-versioned name, `kubectl apply` and Argo CD create it next to the
 * finished one (which `ttlSecondsAfterFinished` removes) instead of failing on the update.
 */
export function contentVersionedName(base: string, content: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 8);
  const name = `${base}-${digest}`;
  // Job pods carry a `job-name` label, so the name must fit a label value.
  if (name.length > 63) {
    throw new Error(`Job name '${name}' is ${name.length} characters: a Job name is at most 63 (it labels the Job's pods); shorten '${base}'.`);
  }
  return name;
}
