import { ServerTls, StorageClassPack } from '../lib';

/** The cert-manager ClusterIssuer the platform's servers get certificates from on the clouds. */
export const PLATFORM_ISSUER = 'platform-ca';

/**
 * TLS of the platform's servers (Redis, PostgreSQL): cert-manager certificates from
 * `PLATFORM_ISSUER` on the cloud profiles; none on kind (a local cluster without cert-manager).
 */
export function platformTls(pack: StorageClassPack): ServerTls | undefined {
  return pack.profile.cloud === 'kind' ? undefined : ServerTls.certManager({ issuer: { kind: 'ClusterIssuer', name: PLATFORM_ISSUER } });
}
