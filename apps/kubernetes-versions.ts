import * as path from 'path';
import { DEFAULT_KUBE_VERSIONS, MAX_SUPPORTED_MINOR, MIN_SUPPORTED_MINOR } from '../lib';
import { kubernetesVersionsMarkdown } from '../lib/profiles';

/** Where the generated table lives. */
export const KUBERNETES_VERSIONS_DOC = path.resolve(__dirname, '..', 'docs', 'kubernetes-versions.md');

/** The doc as the code decides it today. */
export function kubernetesVersionsDoc(): string {
  return kubernetesVersionsMarkdown({ minMinor: MIN_SUPPORTED_MINOR, maxMinor: MAX_SUPPORTED_MINOR, defaults: DEFAULT_KUBE_VERSIONS });
}

// Written by apps/kubernetes-versions.js (`npm run docs:versions`).
