import { WimseError } from '../base/errors/wimse-error.js';
import { sha256Base64url } from '../base/runtime/hash.js';
import { parseWorkloadId } from '../identifier/parse-workload-id.js';
import type { MtlsIdentity } from '../identity/workload-identity.js';
import type { CertificateAuthorities } from './certificate-authorities.js';
import { buildCertificationPath } from './path/build-certification-path.js';
import { MAX_INTERMEDIATES } from './path/check-chain-length.js';
import { checkClientUsage } from './path/check-client-usage.js';
import { checkValidity } from './path/check-validity.js';
import { readPathCertificateCached } from './path/read-path-certificate-cached.js';
import { validateCertificationPath } from './path/validate-certification-path.js';

/** Leaf, intermediates and possibly the root: the most certificates read from one presentation. */
const MAX_PRESENTED_CERTIFICATES = MAX_INTERMEDIATES + 2;

export interface ClientCertificateCheck {
  readonly authorities: CertificateAuthorities;
  readonly nowMs: number;
  readonly clockToleranceSec: number;
}

/**
 * A Workload Identity Certificate (workload-creds §4, mutual-tls draft): exactly one URI
 * SubjectAltName holding a canonical workload identifier, a leaf (not a CA) valid now, usable for
 * client authentication, on an RFC 5280 path to a CA configured for the identifier's own origin
 * (scheme and trust domain).
 */
export function verifyClientCertificate(
  chain: readonly Uint8Array[],
  check: ClientCertificateCheck,
): Omit<MtlsIdentity, 'consumedFields'> {
  if (chain.length === 0) throw new WimseError('certificate_missing', 'no client certificate was presented');
  if (chain.length > MAX_PRESENTED_CERTIFICATES) {
    throw invalid(`the certificate chain is longer than ${MAX_PRESENTED_CERTIFICATES}`);
  }
  const [leaf, ...intermediates] = chain.map(readPathCertificateCached);
  if (!leaf) throw new WimseError('certificate_missing', 'no client certificate was presented');
  if (leaf.basicConstraints?.ca === true) throw invalid('the client certificate is a CA certificate');

  const uris = leaf.subjectAltNames.filter((name) => name.form === 'uniformResourceIdentifier');
  if (uris.length !== 1) throw invalid(`the certificate has ${uris.length} URI SubjectAltNames, not exactly one`);
  const subject = parseWorkloadId(uris[0]?.value);
  checkClientUsage(leaf);
  checkValidity(leaf, check, 'the client certificate');

  // Anchors of other origins are never considered: a CA of trust domain A cannot vouch for B (threat
  // T1), nor a CA configured for wimse://A for spiffe://A.
  const anchors = check.authorities.get(subject.origin);
  if (!anchors) {
    throw new WimseError('certificate_untrusted', `no certificate authority is configured for ${subject.origin}`);
  }
  const path = buildCertificationPath(leaf, intermediates, anchors);
  if (!path) throw new WimseError('certificate_untrusted', 'the certificate does not chain to a CA of its origin');
  validateCertificationPath(path, check);

  return {
    proof: 'mtls',
    id: subject.id,
    trustDomain: subject.trustDomain,
    origin: subject.origin,
    issuer: leaf.x509.issuer,
    claims: { sub: subject.id, nbf: seconds(leaf.x509.validFrom), exp: seconds(leaf.x509.validTo) },
    keyThumbprint: sha256Base64url(leaf.x509.raw),
    expiresAt: seconds(leaf.x509.validTo),
  };
}

function seconds(date: string): number {
  return Math.floor(Date.parse(date) / 1000);
}

function invalid(message: string): WimseError {
  return new WimseError('certificate_invalid', message);
}
