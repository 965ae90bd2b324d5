/**
 * Canonical-form rules per identifier scheme, as data: the newest editor's copy of
 * draft-ietf-wimse-identifier (canonical `wimse` form) and the SPIFFE ID specification. Both
 * forbid percent-encoding, dot segments, empty segments and upper-case authorities, so that two
 * spellings can never name the same workload (threats C1, C2, H2, H3). Both schemes are keyed by
 * their literal lower-case prefix: `WIMSE://` or `Wimse://` match nothing and are rejected.
 */
export interface SchemeRules {
  readonly scheme: 'wimse' | 'spiffe';
  /** Characters allowed in one path segment: RFC 3986 unreserved for `wimse`, no `~` for `spiffe`. */
  readonly segment: RegExp;
}

export const schemeRules: Readonly<Record<string, SchemeRules>> = {
  'wimse://': { scheme: 'wimse', segment: /^[A-Za-z0-9._~-]+$/ },
  'spiffe://': { scheme: 'spiffe', segment: /^[A-Za-z0-9._-]+$/ },
};

/** Lower-case letters, digits, `.`, `-`, `_`: no port, userinfo, IPv6 literal or percent sign. */
export const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
/** SPIFFE's limit; applied to both schemes. ASCII only, so characters are bytes. */
export const MAX_TRUST_DOMAIN_BYTES = 255;
/** Identifier draft and SPIFFE: 2048 octets of the (ASCII) canonical serialization, inclusive. */
export const MAX_IDENTIFIER_BYTES = 2048;

/** Splits `scheme://authority/rest` on a known scheme prefix, or returns undefined. */
export function splitScheme(value: string): { rules: SchemeRules; prefix: string; rest: string } | undefined {
  for (const [prefix, rules] of Object.entries(schemeRules)) {
    if (value.startsWith(prefix)) return { rules, prefix, rest: value.slice(prefix.length) };
  }
  return undefined;
}

/** Why a trust domain is not canonical, or undefined when it is. */
export function trustDomainProblem(trustDomain: string): string | undefined {
  if (trustDomain === '') return 'the trust domain is empty';
  if (trustDomain.length > MAX_TRUST_DOMAIN_BYTES) return `the trust domain exceeds ${MAX_TRUST_DOMAIN_BYTES} bytes`;
  if (!TRUST_DOMAIN.test(trustDomain)) return 'the trust domain has a character outside [a-z0-9._-]';
  if (trustDomain.endsWith('.')) return 'the trust domain ends with a dot';
  return undefined;
}
