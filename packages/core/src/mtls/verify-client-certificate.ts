import { createHash, X509Certificate } from 'node:crypto';
import { WimseError } from '../errors/wimse-error.js';
import { parseWorkloadId } from '../identifier/parse-workload-id.js';
import type { MtlsIdentity } from '../types/identity.js';
import type { CertificateAuthorities } from './certificate-authorities.js';
import { parseSubjectAltNames } from './subject-alt-names.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** Leaf plus intermediates a client may present; real chains are two or three long. */
const MAX_CHAIN_LENGTH = 8;

export interface ClientCertificateCheck {
  readonly authorities: CertificateAuthorities;
  readonly nowMs: number;
  readonly clockToleranceSec: number;
}

/**
 * A Workload Identity Certificate (workload-creds §4, mutual-tls draft): exactly one URI
 * SubjectAltName holding a canonical workload identifier, a leaf (not a CA) valid now, usable for
 * client authentication, chaining to a CA configured for the identifier's own trust domain.
 */
export function verifyClientCertificate(
  chain: readonly Uint8Array[],
  check: ClientCertificateCheck,
): Omit<MtlsIdentity, 'consumedFields'> {
  if (chain.length === 0) throw new WimseError('certificate_missing', 'no client certificate was presented');
  if (chain.length > MAX_CHAIN_LENGTH) throw invalid(`the certificate chain is longer than ${MAX_CHAIN_LENGTH}`);
  const [leaf, ...intermediates] = chain.map(readCertificate);
  if (!leaf) throw new WimseError('certificate_missing', 'no client certificate was presented');
  if (leaf.ca) throw invalid('the client certificate is a CA certificate');

  const uris = parseSubjectAltNames(leaf.subjectAltName).filter((name) => name.type === 'URI');
  if (uris.length !== 1) throw invalid(`the certificate has ${uris.length} URI SubjectAltNames, not exactly one`);
  const subject = parseWorkloadId(uris[0]?.value);

  const usages = leaf.keyUsage; // Node names the extended key usage OIDs keyUsage
  if (usages !== undefined && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
    throw invalid('the certificate is not for client authentication');
  }
  checkValidity(leaf, check, 'the client certificate');

  const anchors = check.authorities.get(subject.trustDomain);
  if (!anchors) {
    throw new WimseError('certificate_untrusted', `no certificate authority is configured for ${subject.trustDomain}`);
  }
  chainToAnchor(leaf, intermediates, anchors, check);

  const der = leaf.raw;
  return {
    proof: 'mtls',
    id: subject.id,
    trustDomain: subject.trustDomain,
    origin: subject.origin,
    issuer: leaf.issuer,
    claims: { sub: subject.id, nbf: seconds(leaf.validFrom), exp: seconds(leaf.validTo) },
    keyThumbprint: createHash('sha256').update(der).digest('base64url'),
    expiresAt: seconds(leaf.validTo),
  };
}

/**
 * Walks from the leaf through the presented intermediates to one of the domain's CAs, checking
 * issuer names, signatures, CA flags and validity on the way. Anchors of other domains are never
 * considered, so a CA of domain A cannot vouch for an identity in domain B (threat T1).
 */
function chainToAnchor(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  check: ClientCertificateCheck,
): void {
  const unused = new Set(intermediates);
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    const anchor = anchors.find((candidate) => issuedBy(current, candidate));
    if (anchor) {
      checkValidity(anchor, check, 'the certificate authority');
      return;
    }
    const next = [...unused].find((candidate) => candidate.ca && issuedBy(current, candidate));
    if (!next) break;
    checkValidity(next, check, 'an intermediate certificate');
    unused.delete(next);
    current = next;
  }
  throw new WimseError('certificate_untrusted', 'the certificate does not chain to a CA of its trust domain');
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function checkValidity(certificate: X509Certificate, check: ClientCertificateCheck, what: string): void {
  const toleranceMs = check.clockToleranceSec * 1000;
  if (Date.parse(certificate.validFrom) - toleranceMs > check.nowMs) throw invalid(`${what} is not yet valid`);
  if (Date.parse(certificate.validTo) + toleranceMs < check.nowMs) throw invalid(`${what} has expired`);
}

function readCertificate(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw invalid('a presented certificate is not readable X.509');
  }
}

function seconds(date: string): number {
  return Math.floor(Date.parse(date) / 1000);
}

function invalid(message: string): WimseError {
  return new WimseError('certificate_invalid', message);
}
