import { WimseError } from '../../base/errors/wimse-error.js';
import type { PathCertificate } from './read-path-certificate.js';

/**
 * RFC 5280 §6.1.4 (l), (m): a CA's pathLenConstraint is the most non-self-issued intermediate CA
 * certificates that may follow it on the path. Applied to every CA, the trust anchor included
 * (as OpenSSL does). `path` runs from the leaf (index 0) to the anchor.
 */
export function checkPathLength(path: readonly PathCertificate[]): void {
  let intermediatesBelow = 0;
  for (let i = 1; i < path.length; i++) {
    const ca = path[i];
    if (!ca) continue;
    const limit = ca.basicConstraints?.pathLength;
    if (limit !== undefined && intermediatesBelow > limit) {
      throw new WimseError(
        'certificate_invalid',
        `a CA with pathLenConstraint ${limit} has ${intermediatesBelow} intermediate CA certificates below it`,
      );
    }
    if (!ca.selfIssued) intermediatesBelow++;
  }
}
