import { WimseError } from '../../base/errors/wimse-error.js';
import { EXTENSION_IDS, type PathCertificate } from './read-path-certificate.js';

/**
 * The extensions this verifier processes, so may be critical (RFC 5280 §4.2: a certificate with a
 * critical extension the relying party does not process MUST be rejected). certificatePolicies is
 * recognised but its policies are not evaluated: no policy is asked of callers, and without
 * policyConstraints (never accepted as critical here) the §6.1 outcome does not depend on them.
 */
export const PROCESSED_EXTENSIONS: readonly string[] = [
  EXTENSION_IDS.basicConstraints,
  EXTENSION_IDS.keyUsage,
  EXTENSION_IDS.extendedKeyUsage,
  EXTENSION_IDS.subjectAltName,
  EXTENSION_IDS.nameConstraints,
  EXTENSION_IDS.certificatePolicies,
];

/** Refuses a certificate with a critical extension outside {@link PROCESSED_EXTENSIONS}. */
export function checkCriticalExtensions(certificate: PathCertificate, what: string): void {
  const unprocessed = certificate.criticalExtensions.find((id) => !PROCESSED_EXTENSIONS.includes(id));
  if (unprocessed !== undefined) {
    throw new WimseError(
      'certificate_invalid',
      `${what} has a critical extension the verifier does not process (${unprocessed})`,
    );
  }
}
