import { WimseError } from '../../base/errors/wimse-error.js';
import type { PathCertificate } from './read-path-certificate.js';

/** Intermediate CAs accepted between the leaf and the trust anchor (`openssl verify -verify_depth 6`). */
export const MAX_INTERMEDIATES = 6;

/** A fixed bound on the path, whatever the CAs' own pathLenConstraints say: real WIC paths have 0 to 2. */
export function checkChainLength(path: readonly PathCertificate[]): void {
  const intermediates = path.length - 2;
  if (intermediates > MAX_INTERMEDIATES) {
    throw new WimseError(
      'certificate_invalid',
      `the certificate path has ${intermediates} intermediate CAs; at most ${MAX_INTERMEDIATES} are accepted`,
    );
  }
}
