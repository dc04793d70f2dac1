import { KubeVersion } from '../profiles';

/**
 * kubectl images for jobs that call the API server from a POSIX sh script, one per Kubernetes minor: Alpine, so they
 * have busybox `sh`, `date` and `sort` (registry.k8s.io/kubectl images are distroless, without a shell). kubectl
 * is supported within one minor of the API server; the same minor is the only choice that is right for every
 * profile, so each profile gets its own. The last patch release of each minor.
 */
export const KUBECTL_IMAGES: Readonly<Record<number, string>> = {
  27: 'docker.io/alpine/kubectl:1.27.16',
  28: 'docker.io/alpine/kubectl:1.28.15',
  29: 'docker.io/alpine/kubectl:1.29.15',
  30: 'docker.io/alpine/kubectl:1.30.14',
  31: 'docker.io/alpine/kubectl:1.31.13',
  32: 'docker.io/alpine/kubectl:1.32.9',
  33: 'docker.io/alpine/kubectl:1.33.4',
  34: 'docker.io/alpine/kubectl:1.34.1',
  35: 'docker.io/alpine/kubectl:1.35.3',
  36: 'docker.io/alpine/kubectl:1.36.0',
};

/** The kubectl image of `version`'s minor; throws, naming the override, for a minor without one. */
export function kubectlImage(version: KubeVersion): string {
  const image = KUBECTL_IMAGES[version.minor];
  if (!image) {
    throw new Error(`No kubectl image is known for Kubernetes ${version}: pass { image: 'docker.io/alpine/kubectl:${version}.<patch>' } (kubectl of the cluster's minor, with a POSIX sh).`);
  }
  return image;
}
