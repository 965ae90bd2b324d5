import { WimseError } from '../../base/errors/wimse-error.js';
import type { PathCertificate } from './read-path-certificate.js';

/**
 * Every CA on the path carries keyUsage with keyCertSign. RFC 5280 §6.1.4 (n) checks the bit when
 * the extension is present; §4.2.1.3 requires conforming CAs to include it, and `openssl verify
 * -x509_strict` refuses a CA without it, as this does.
 */
export function checkIssuerKeyUsage(certificate: PathCertificate, what: string): void {
  const usage = certificate.keyUsage;
  if (usage === undefined) {
    throw new WimseError('certificate_invalid', `${what} has no keyUsage extension (a CA needs keyCertSign)`);
  }
  if (!usage.has('keyCertSign')) {
    throw new WimseError('certificate_invalid', `${what} may not sign certificates (keyUsage without keyCertSign)`);
  }
}
