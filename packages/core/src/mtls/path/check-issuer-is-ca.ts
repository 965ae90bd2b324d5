import { WimseError } from '../../base/errors/wimse-error.js';
import type { PathCertificate } from './read-path-certificate.js';

/** RFC 5280 §6.1.4 (k): every certificate that issues another carries basicConstraints with cA TRUE. */
export function checkIssuerIsCa(certificate: PathCertificate, what: string): void {
  if (certificate.basicConstraints?.ca !== true) {
    throw new WimseError('certificate_invalid', `${what} is not a CA certificate (basicConstraints cA)`);
  }
}
