import { isWimseError } from '../base/errors/wimse-error.js';
import { describeValue, expectKnownKeys, isPlainObject, optionError } from '../base/options/option-checks.js';
import { base64Decode } from '../base/runtime/bytes.js';
import { parseWorkloadOrigin } from '../identifier/parse-workload-origin.js';
import type { TrustRegistry } from '../trust/build-trust-registry.js';
import type { TrustDomainOptions, X509AuthorityOptions, X509AuthorityScheme } from '../trust/trust-options.js';
import { checkCriticalExtensions } from './path/check-critical-extensions.js';
import { checkIssuerIsCa } from './path/check-issuer-is-ca.js';
import { checkIssuerKeyUsage } from './path/check-issuer-key-usage.js';
import { type PathCertificate, readPathCertificate } from './path/read-path-certificate.js';

/** Origin (`scheme://trust-domain`) to the CA certificates that may vouch for identities in it, and only in it. */
export type CertificateAuthorities = ReadonlyMap<string, readonly PathCertificate[]>;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const SCHEMES: readonly X509AuthorityScheme[] = ['wimse', 'spiffe'];
const ENTRY_SHAPE = 'a PEM string, DER bytes or { certificate, schemes: ["wimse" | "spiffe"] }';

/**
 * Reads each trust domain's `x509Authorities` once at start-up and binds every CA to origins, as
 * issuers are: a CA vouches only for identifiers of its own trust domain (threat T1), under the
 * schemes it is configured for. An entry without `schemes` takes the schemes of the domain's WIT
 * issuers' origins, or `wimse` for a domain trusted for mutual TLS only.
 */
export function buildCertificateAuthorities(
  trustDomains: readonly TrustDomainOptions[],
  trust: TrustRegistry,
  field = 'createVerifier: trustDomains',
): CertificateAuthorities {
  const authorities = new Map<string, PathCertificate[]>();
  trustDomains.forEach((domain, d) => {
    const configured: unknown = domain?.x509Authorities;
    if (configured === undefined) return;
    const where = `${field}[${d}].x509Authorities`;
    if (!Array.isArray(configured) || configured.length === 0) {
      throw optionError(where, `a non-empty array, each entry ${ENTRY_SHAPE}`, configured);
    }
    const trustDomain = parseWorkloadOrigin(`wimse://${domain.trustDomain}`).trustDomain;
    const defaultSchemes = issuerSchemes(trust, trustDomain);
    configured.forEach((entry: unknown, i) => {
      const at = `${where}[${i}]`;
      const { certificate, schemes } = readEntry(entry, at, defaultSchemes);
      for (const [k, der] of readCertificates(certificate, at).entries()) {
        const anchor = readTrustAnchor(der, `${at}: certificate ${k}`);
        for (const scheme of schemes) {
          const origin = `${scheme}://${trustDomain}`;
          authorities.set(origin, [...(authorities.get(origin) ?? []), anchor]);
        }
      }
    });
  });
  return authorities;
}

/** The schemes of the origins the domain's WIT issuers assert; `wimse` when it has none. */
function issuerSchemes(trust: TrustRegistry, trustDomain: string): readonly X509AuthorityScheme[] {
  const schemes = [...trust.values()]
    .filter((issuer) => issuer.trustDomain === trustDomain)
    .flatMap((issuer) => issuer.origins.map((origin) => parseWorkloadOrigin(origin).scheme));
  return schemes.length === 0 ? ['wimse'] : [...new Set(schemes)];
}

function readEntry(
  entry: unknown,
  at: string,
  defaultSchemes: readonly X509AuthorityScheme[],
): { certificate: string | Uint8Array; schemes: readonly X509AuthorityScheme[] } {
  if (typeof entry === 'string' || entry instanceof Uint8Array) return { certificate: entry, schemes: defaultSchemes };
  if (!isPlainObject(entry)) throw optionError(at, ENTRY_SHAPE, entry);
  expectKnownKeys(entry, at, ['certificate', 'schemes']);
  const { certificate, schemes } = entry as Partial<X509AuthorityOptions>;
  if (typeof certificate !== 'string' && !(certificate instanceof Uint8Array)) {
    throw optionError(`${at}.certificate`, 'a PEM string or DER bytes', certificate);
  }
  if (!Array.isArray(schemes) || schemes.length === 0) {
    throw optionError(`${at}.schemes`, 'a non-empty array of "wimse" and/or "spiffe"', schemes);
  }
  schemes.forEach((scheme: unknown, s) => {
    if (!SCHEMES.includes(scheme as X509AuthorityScheme) || schemes.indexOf(scheme as X509AuthorityScheme) !== s) {
      throw new TypeError(`${at}.schemes[${s}] must be "wimse" or "spiffe", once each, got ${describeValue(scheme)}`);
    }
  });
  return { certificate, schemes };
}

function readCertificates(entry: string | Uint8Array, where: string): Uint8Array[] {
  if (entry instanceof Uint8Array) return [entry];
  const blocks = entry.match(PEM_CERTIFICATE);
  if (!blocks) throw optionError(where, 'a PEM certificate (BEGIN CERTIFICATE) or DER bytes', entry);
  return blocks.map((block) => base64Decode(block.replace(/-----[A-Z ]+-----|\s+/g, '')));
}

/**
 * A configured CA, checked once as the path checks would check it at every request: a CA certificate
 * (basicConstraints cA), allowed to sign certificates (keyCertSign), with no critical extension
 * the verifier does not process. Its validity, pathLenConstraint and name constraints are applied
 * to each path.
 */
function readTrustAnchor(der: Uint8Array, what: string): PathCertificate {
  try {
    const anchor = readPathCertificate(der, what);
    checkIssuerIsCa(anchor, what);
    checkIssuerKeyUsage(anchor, what);
    checkCriticalExtensions(anchor, what);
    return anchor;
  } catch (cause) {
    if (isWimseError(cause))
      throw new TypeError(
        `${what} must be a CA certificate the path checks accept, got one that is not (${cause.message})`,
      );
    throw cause;
  }
}

/**
 * The X.509 authorities of a SPIFFE trust bundle (a JWK set whose `x509-svid` keys carry the CA
 * certificate in `x5c`), for `x509Authorities`: bound to the `spiffe` scheme only, since a SPIFFE
 * bundle vouches for SPIFFE IDs, not for `wimse://` identifiers of the same trust domain.
 */
export function x509AuthoritiesFromSpiffeBundle(bundle: unknown): X509AuthorityOptions[] {
  const keys = (bundle as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TypeError('a SPIFFE bundle is a JSON object with a keys array');
  const authorities: X509AuthorityOptions[] = [];
  for (const key of keys as Array<{ use?: unknown; x5c?: unknown }>) {
    if (key?.use !== 'x509-svid') continue;
    const first = Array.isArray(key.x5c) ? key.x5c[0] : undefined;
    if (typeof first !== 'string') throw new TypeError('an x509-svid bundle key needs an x5c certificate');
    authorities.push({ certificate: base64Decode(first), schemes: ['spiffe'] });
  }
  if (authorities.length === 0) throw new TypeError('the SPIFFE bundle has no x509-svid authority');
  return authorities;
}
