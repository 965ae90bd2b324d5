import type { JWTVerifyGetKey } from 'jose';
import { parseWorkloadOrigin } from '../identifier/parse-workload-origin.js';
import type { TrustDomainOptions } from '../types/options.js';
import { lookupSignatureAlgorithm } from '../wit/algorithms.js';
import { createKeySource } from './create-key-source.js';
import type { IssuerProfile } from './issuer-profiles.js';
import { checkIssuerProfileConfiguration, defaultOrigins, resolveIssuerProfile } from './resolve-issuer-profile.js';

/** One allowlisted issuer, resolved from configuration. */
export interface TrustedIssuer {
  readonly trustDomain: string;
  readonly issuer: string | undefined;
  readonly requireIssuerClaim: boolean;
  readonly origins: readonly string[];
  readonly algorithms: readonly string[];
  readonly getKey: JWTVerifyGetKey;
  /** Extra rules its WITs meet (WIT-SVID); undefined for none. */
  readonly profile?: IssuerProfile;
}

/** Origin (`scheme://trust-domain`) to the one issuer allowed to assert identities in it. */
export type TrustRegistry = ReadonlyMap<string, TrustedIssuer>;

const DEFAULT_WIT_ALGORITHMS = ['ES256', 'EdDSA'] as const;

/**
 * Validates the trust configuration once and binds every origin to exactly one issuer, so that a
 * WIT's (scheme, trust domain) selects its issuer and keys (threats IO1, IO2, U1).
 */
export function buildTrustRegistry(trustDomains: readonly TrustDomainOptions[]): TrustRegistry {
  if (!isNonEmptyList(trustDomains)) {
    throw new TypeError('trustDomains must list at least one trust domain');
  }
  const registry = new Map<string, TrustedIssuer>();
  const seenDomains = new Set<string>();
  trustDomains.forEach((domain, d) => {
    const where = `trustDomains[${d}]`;
    const trustDomain = domain?.trustDomain;
    if (typeof trustDomain !== 'string') throw new TypeError(`${where}.trustDomain must be a string`);
    // Validates the trust-domain syntax with the identifier rules.
    parseWorkloadOrigin(`wimse://${trustDomain}`);
    if (seenDomains.has(trustDomain)) throw new TypeError(`${where}: trust domain ${trustDomain} is listed twice`);
    seenDomains.add(trustDomain);
    if (!isNonEmptyList(domain.issuers)) {
      throw new TypeError(`${where}.issuers must list at least one issuer`);
    }
    domain.issuers.forEach((options, i) => {
      const at = `${where}.issuers[${i}]`;
      const profile = resolveIssuerProfile(options, at);
      const algorithms = options.algorithms ?? profile.defaultAlgorithms ?? DEFAULT_WIT_ALGORITHMS;
      if (algorithms.length === 0) throw new TypeError(`${at}.algorithms must not be empty`);
      for (const alg of algorithms) {
        if (!lookupSignatureAlgorithm(alg)) {
          throw new TypeError(`${at}.algorithms: ${String(alg)} is not an asymmetric JWS signature algorithm`);
        }
      }
      if (options.issuer !== undefined && (typeof options.issuer !== 'string' || options.issuer === '')) {
        throw new TypeError(`${at}.issuer must be a non-empty string`);
      }
      const origins = (options.origins ?? defaultOrigins(profile, trustDomain)).map((value) => {
        const origin = parseWorkloadOrigin(value);
        if (origin.trustDomain !== trustDomain) {
          throw new TypeError(`${at}.origins: ${value} is outside trust domain ${trustDomain}`);
        }
        return origin.origin;
      });
      if (origins.length === 0) throw new TypeError(`${at}.origins must not be empty`);
      checkIssuerProfileConfiguration(profile, { algorithms, origins }, at);
      const entry: TrustedIssuer = {
        trustDomain,
        issuer: options.issuer,
        requireIssuerClaim: options.requireIssuerClaim === true,
        origins,
        algorithms: [...algorithms],
        getKey: createKeySource(options, at),
        profile,
      };
      if (entry.requireIssuerClaim && entry.issuer === undefined) {
        throw new TypeError(`${at}: requireIssuerClaim needs issuer`);
      }
      for (const origin of origins) {
        if (registry.has(origin)) {
          throw new TypeError(`${at}: origin ${origin} is already bound to another issuer`);
        }
        registry.set(origin, entry);
      }
    });
  });
  return registry;
}

function isNonEmptyList<T>(value: readonly T[] | undefined): value is readonly T[] {
  return Array.isArray(value) && value.length > 0;
}
