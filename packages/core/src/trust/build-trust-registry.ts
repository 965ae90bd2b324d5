import {
  expectKnownKeys,
  expectNonEmptyString,
  expectObject,
  expectOptionalBoolean,
  expectStringList,
  optionError,
} from '../base/options/option-checks.js';
import { defaultProofAlgorithms, defaultWitAlgorithms } from '../base/runtime/signature-algorithms.js';
import { parseWorkloadOrigin } from '../identifier/parse-workload-origin.js';
import { algorithmList } from './algorithm-list.js';
import { createKeySource } from './create-key-source.js';
import type { IssuerKeys } from './issuer-keys.js';
import type { IssuerProfile } from './issuer-profiles.js';
import { checkIssuerProfileConfiguration, defaultOrigins, resolveIssuerProfile } from './resolve-issuer-profile.js';
import type { TrustDomainOptions } from './trust-options.js';

/** One allowlisted issuer, resolved from configuration. */
export interface TrustedIssuer {
  readonly trustDomain: string;
  readonly issuer: string | undefined;
  readonly requireIssuerClaim: boolean;
  readonly origins: readonly string[];
  /** JWS algorithms accepted for this issuer's WITs. */
  readonly algorithms: readonly string[];
  /** `cnf.jwk.alg` values acceptable for proofs of possession in this trust domain (http-sig-07 §3.1). */
  readonly proofAlgorithms: readonly string[];
  readonly keys: IssuerKeys;
  /** Extra rules its WITs meet (WIT-SVID); undefined for none. */
  readonly profile?: IssuerProfile;
}

/** Origin (`scheme://trust-domain`) to the one issuer allowed to assert identities in it. */
export type TrustRegistry = ReadonlyMap<string, TrustedIssuer>;

const TRUST_DOMAIN_KEYS = ['trustDomain', 'issuers', 'proofAlgorithms', 'x509Authorities'] as const;
const ISSUER_KEYS = [
  'issuer',
  'requireIssuerClaim',
  'origins',
  'algorithms',
  'jwks',
  'jwksUri',
  'cooldownMs',
  'cacheMaxAgeMs',
  'timeoutMs',
  'profile',
  'spiffeBundle',
  'spiffeBundleFile',
  'spiffeBundleUri',
] as const;
const ISSUER_SHAPE = 'an object like { jwks: { keys: [...] } } or { jwksUri: "https://..." }';

/**
 * Validates the trust configuration once and binds every origin to exactly one issuer, so that a
 * WIT's (scheme, trust domain) selects its issuer and keys (threats IO1, IO2, U1).
 */
export function buildTrustRegistry(
  trustDomains: readonly TrustDomainOptions[],
  field = 'trustDomains',
  now: () => number = Date.now,
): TrustRegistry {
  if (!Array.isArray(trustDomains) || trustDomains.length === 0) {
    throw optionError(field, 'a non-empty array of { trustDomain, issuers }', trustDomains);
  }
  const registry = new Map<string, TrustedIssuer>();
  const seenDomains = new Set<string>();
  trustDomains.forEach((value: unknown, d) => {
    const where = `${field}[${d}]`;
    const domain = expectObject(value, where, 'an object like { trustDomain: "example.com", issuers: [...] }');
    expectKnownKeys(domain, where, TRUST_DOMAIN_KEYS);
    const trustDomain = expectNonEmptyString(domain.trustDomain, `${where}.trustDomain`);
    // Validates the trust-domain syntax with the identifier rules.
    try {
      parseWorkloadOrigin(`wimse://${trustDomain}`);
    } catch {
      throw optionError(`${where}.trustDomain`, 'a lower-case trust domain like "example.com"', trustDomain);
    }
    if (seenDomains.has(trustDomain)) {
      throw optionError(`${where}.trustDomain`, 'a trust domain listed once', trustDomain);
    }
    seenDomains.add(trustDomain);
    const proofAlgorithms = algorithmList(domain.proofAlgorithms, defaultProofAlgorithms, `${where}.proofAlgorithms`);
    // A domain trusted for mutual TLS only (x509Authorities) may have no WIT issuer.
    const mtlsOnly = domain.issuers === undefined && domain.x509Authorities !== undefined;
    const issuers: unknown = mtlsOnly ? [] : domain.issuers;
    if (!Array.isArray(issuers) || (issuers.length === 0 && !mtlsOnly)) {
      throw optionError(`${where}.issuers`, `a non-empty array of issuers, each ${ISSUER_SHAPE}`, domain.issuers);
    }
    issuers.forEach((issuerValue: unknown, i) => {
      const at = `${where}.issuers[${i}]`;
      const options = expectObject(issuerValue, at, ISSUER_SHAPE) as Record<string, unknown>;
      expectKnownKeys(options, at, ISSUER_KEYS);
      const profile = resolveIssuerProfile(options, at);
      const algorithms = algorithmList(
        options.algorithms,
        profile.defaultAlgorithms ?? defaultWitAlgorithms,
        `${at}.algorithms`,
      );
      const issuer = options.issuer === undefined ? undefined : expectNonEmptyString(options.issuer, `${at}.issuer`);
      const requireIssuerClaim = expectOptionalBoolean(options.requireIssuerClaim, `${at}.requireIssuerClaim`) === true;
      const originList =
        options.origins === undefined
          ? defaultOrigins(profile, trustDomain)
          : expectStringList(
              options.origins,
              `${at}.origins`,
              'a non-empty array of origins like "spiffe://example.com"',
            );
      const origins = originList.map((origin, o) => {
        let parsed: ReturnType<typeof parseWorkloadOrigin>;
        try {
          parsed = parseWorkloadOrigin(origin);
        } catch {
          throw optionError(
            `${at}.origins[${o}]`,
            'an origin like "wimse://example.com" (scheme and trust domain)',
            origin,
          );
        }
        if (parsed.trustDomain !== trustDomain) {
          throw optionError(`${at}.origins[${o}]`, `an origin of trust domain ${trustDomain}`, origin);
        }
        return parsed.origin;
      });
      if (requireIssuerClaim && issuer === undefined) {
        throw optionError(`${at}.issuer`, 'given when requireIssuerClaim is set', issuer);
      }
      checkIssuerProfileConfiguration(profile, { algorithms, origins }, at);
      const entry: TrustedIssuer = {
        trustDomain,
        issuer,
        requireIssuerClaim,
        origins,
        algorithms,
        proofAlgorithms,
        keys: createKeySource(options, at, now),
        profile,
      };
      for (const origin of origins) {
        if (registry.has(origin)) {
          throw optionError(`${at}.origins`, 'origins no other issuer is bound to', origin);
        }
        registry.set(origin, entry);
      }
    });
  });
  return registry;
}
