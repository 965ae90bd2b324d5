import type { JWK } from 'jose';

/** A SPIFFE bundle document (SPIFFE Trust Domain and Bundle §4): a JWK Set with two extra members. */
export interface SpiffeBundleDocument {
  readonly keys: readonly Record<string, unknown>[];
  /** Suggested seconds between two fetches of the bundle (§4.1.2). */
  readonly spiffe_refresh_hint?: number;
  /** Increases whenever the bundle changes (§4.1.1). */
  readonly spiffe_sequence?: number;
}

/** The WIT-SVID signing keys of one bundle, by `kid`. */
export interface WitSvidAuthorities {
  readonly keys: ReadonlyMap<string, JWK>;
  /** The bundle's refresh hint in seconds, when it carries a usable one. */
  readonly refreshHintSec: number | undefined;
  readonly sequence: number | undefined;
}

/** The JWK `use` that marks a WIT-SVID signing key in a SPIFFE bundle. */
export const WIT_SVID_USE = 'wit-svid';

/** Key types a WIT-SVID signing key can have (RS*, PS*: RSA; ES*: EC). Others are ignored. */
const WIT_SVID_KEY_TYPES = new Set(['EC', 'RSA']);

/** A bundle that cannot be used at all: the message says why, and never holds key material. */
export class SpiffeBundleError extends Error {
  override readonly name = 'SpiffeBundleError';
}

/**
 * Extracts the WIT-SVID signing keys from a SPIFFE bundle (WIT-SVID §6.2): the JWKs whose `use`
 * is `wit-svid`. Every other element (x509-svid and jwt-svid keys, a missing or unknown `use`, a
 * key type no WIT-SVID algorithm uses) is ignored, as the bundle specification requires (§4.1.3,
 * §4.2). A bundle that is not a JSON object with a `keys` array, a `wit-svid` key without `kid`,
 * two keys with one `kid` (WIT-SVID §6.1) or private key material make the whole bundle unusable.
 * An empty result is a valid bundle: every WIT-SVID of the trust domain is then refused.
 */
export function parseSpiffeBundle(document: unknown): WitSvidAuthorities {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new SpiffeBundleError('a SPIFFE bundle must be a JSON object');
  }
  const { keys, spiffe_refresh_hint: hint, spiffe_sequence: sequence } = document as Record<string, unknown>;
  if (!Array.isArray(keys)) throw new SpiffeBundleError('a SPIFFE bundle must have a keys array');
  const selected = new Map<string, JWK>();
  const seenKids = new Set<string>();
  keys.forEach((key: unknown, i) => {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      throw new SpiffeBundleError(`keys[${i}] is not a JSON object`);
    }
    const jwk = key as Record<string, unknown>;
    if ('d' in jwk || jwk.kty === 'oct') throw new SpiffeBundleError(`keys[${i}] is not a public key`);
    // kid is unique across the bundle, whatever each key is for (WIT-SVID §6.1).
    if (typeof jwk.kid === 'string') {
      if (seenKids.has(jwk.kid)) throw new SpiffeBundleError(`keys[${i}]: kid ${jwk.kid} appears twice`);
      seenKids.add(jwk.kid);
    }
    if (jwk.use !== WIT_SVID_USE) return;
    if (typeof jwk.kid !== 'string' || jwk.kid === '') {
      throw new SpiffeBundleError(`keys[${i}]: a wit-svid key must have a kid`);
    }
    if (typeof jwk.kty !== 'string' || !WIT_SVID_KEY_TYPES.has(jwk.kty)) return;
    selected.set(jwk.kid, jwk as JWK);
  });
  return {
    keys: selected,
    refreshHintSec: typeof hint === 'number' && Number.isFinite(hint) && hint > 0 ? hint : undefined,
    sequence: typeof sequence === 'number' && Number.isInteger(sequence) ? sequence : undefined,
  };
}
