import { WimseError } from '../../base/errors/wimse-error.js';
import type { PathCertificate } from './read-path-certificate.js';

export interface ValidityCheck {
  readonly nowMs: number;
  readonly clockToleranceSec: number;
}

/** RFC 5280 §6.1.3 (a)(2): the certificate is valid now, give or take the clock tolerance. */
export function checkValidity(certificate: PathCertificate, check: ValidityCheck, what: string): void {
  const toleranceMs = check.clockToleranceSec * 1000;
  if (Date.parse(certificate.x509.validFrom) - toleranceMs > check.nowMs) {
    throw new WimseError('certificate_invalid', `${what} is not yet valid`);
  }
  if (Date.parse(certificate.x509.validTo) + toleranceMs < check.nowMs) {
    throw new WimseError('certificate_invalid', `${what} has expired`);
  }
}
