import { checkChainLength } from './check-chain-length.js';
import { checkCriticalExtensions } from './check-critical-extensions.js';
import { checkIssuerIsCa } from './check-issuer-is-ca.js';
import { checkIssuerKeyUsage } from './check-issuer-key-usage.js';
import { checkNameConstraints } from './check-name-constraints.js';
import { checkPathLength } from './check-path-length.js';
import { checkValidity, type ValidityCheck } from './check-validity.js';
import type { PathCertificate } from './read-path-certificate.js';

/**
 * RFC 5280 §6.1 on a built path (leaf first, trust anchor last), each rule a named check; the first
 * violation is thrown as `certificate_invalid`. Signatures and name chaining were checked when the
 * path was built; revocation and certificate policies are not evaluated.
 */
export function validateCertificationPath(path: readonly PathCertificate[], check: ValidityCheck): void {
  checkChainLength(path);
  path.forEach((certificate, i) => {
    const what =
      i === 0
        ? 'the client certificate'
        : i === path.length - 1
          ? 'the certificate authority'
          : 'an intermediate certificate';
    checkValidity(certificate, check, what);
    checkCriticalExtensions(certificate, what);
    if (i > 0) {
      checkIssuerIsCa(certificate, what);
      checkIssuerKeyUsage(certificate, what);
    }
  });
  checkPathLength(path);
  checkNameConstraints(path);
}
