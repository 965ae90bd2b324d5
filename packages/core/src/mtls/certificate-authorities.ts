import { X509Certificate } from 'node:crypto';
import { parseWorkloadOrigin } from '../identifier/parse-workload-origin.js';
import type { TrustDomainOptions } from '../types/options.js';

/** Trust domain to the CA certificates allowed to vouch for identities in it, and only in it. */
export type CertificateAuthorities = ReadonlyMap<string, readonly X509Certificate[]>;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads each trust domain's `x509Authorities` once at start-up. A CA is bound to the trust domain
 * it is configured under: a certificate naming a workload of another domain is never accepted on
 * its word (threat T1).
 */
export function buildCertificateAuthorities(trustDomains: readonly TrustDomainOptions[]): CertificateAuthorities {
  const authorities = new Map<string, readonly X509Certificate[]>();
  trustDomains.forEach((domain, d) => {
    const configured = domain?.x509Authorities;
    if (configured === undefined) return;
    const where = `trustDomains[${d}].x509Authorities`;
    if (!Array.isArray(configured) || configured.length === 0) {
      throw new TypeError(`${where} must list at least one PEM string or DER certificate`);
    }
    parseWorkloadOrigin(`wimse://${domain.trustDomain}`);
    const certificates = configured.flatMap((entry, i) => readCertificates(entry, `${where}[${i}]`));
    for (const [i, certificate] of certificates.entries()) {
      if (!certificate.ca) throw new TypeError(`${where}: certificate ${i} is not a CA certificate`);
    }
    authorities.set(domain.trustDomain, certificates);
  });
  return authorities;
}

function readCertificates(entry: unknown, where: string): X509Certificate[] {
  try {
    if (entry instanceof Uint8Array) return [new X509Certificate(entry)];
    if (typeof entry === 'string') {
      const blocks = entry.match(PEM_CERTIFICATE);
      if (!blocks) throw new Error('no PEM certificate');
      return blocks.map((block) => new X509Certificate(block));
    }
  } catch (cause) {
    throw new TypeError(`${where} is not a readable X.509 certificate`, { cause });
  }
  throw new TypeError(`${where} must be a PEM string or DER bytes`);
}

/**
 * The X.509 authorities of a SPIFFE trust bundle (a JWK set whose `x509-svid` keys carry the CA
 * certificate in `x5c`), as DER for `x509Authorities`.
 */
export function x509AuthoritiesFromSpiffeBundle(bundle: unknown): Uint8Array[] {
  const keys = (bundle as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TypeError('a SPIFFE bundle is a JSON object with a keys array');
  const authorities: Uint8Array[] = [];
  for (const key of keys as Array<{ use?: unknown; x5c?: unknown }>) {
    if (key?.use !== 'x509-svid') continue;
    const first = Array.isArray(key.x5c) ? key.x5c[0] : undefined;
    if (typeof first !== 'string') throw new TypeError('an x509-svid bundle key needs an x5c certificate');
    authorities.push(Buffer.from(first, 'base64'));
  }
  if (authorities.length === 0) throw new TypeError('the SPIFFE bundle has no x509-svid authority');
  return authorities;
}
