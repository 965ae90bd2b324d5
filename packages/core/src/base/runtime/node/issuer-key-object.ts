import { KeyObject, type webcrypto } from 'node:crypto';
import { minimumRsaModulusBits, type SignatureAlgorithm } from '../../algorithms/signature-algorithms.js';

/**
 * The node:crypto KeyObject of an issuer key, for a synchronous `verify` of a WIT's JWS. Key sets
 * hand out jose keys (CryptoKeys imported once per key and algorithm when the set is loaded); each
 * is converted once and remembered here by the key object itself, so the cache never chooses a
 * key: selection (kid, alg, use, refetch, withdrawal by a newer set) stays with the key set, and a
 * key dropped from a refreshed set is simply never asked for again (its entry goes with it).
 *
 * The key must fit the algorithm as jose required it to: a public key, of the algorithm's type,
 * curve and (RSA) hash, allowed to verify, and an RSA modulus of at least 2048 bits. Undefined when
 * it does not; the caller refuses the WIT.
 */
export function issuerKeyObject(key: unknown, alg: string, algorithm: SignatureAlgorithm): KeyObject | undefined {
  if (typeof key !== 'object' || key === null) return undefined;
  let byAlg = converted.get(key);
  const cached = byAlg?.get(alg);
  if (cached !== undefined) return cached;
  const keyObject = isCryptoKey(key) ? fromCryptoKey(key, algorithm) : key instanceof KeyObject ? key : undefined;
  if (keyObject === undefined || !fits(keyObject, algorithm)) return undefined;
  if (byAlg === undefined) {
    byAlg = new Map();
    converted.set(key, byAlg);
  }
  byAlg.set(alg, keyObject);
  return keyObject;
}

const converted = new WeakMap<object, Map<string, KeyObject>>();

function isCryptoKey(key: object): key is webcrypto.CryptoKey {
  return (key as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'CryptoKey';
}

/** The WebCrypto algorithm a CryptoKey for this JWS algorithm must carry (RFC 7518 §3). */
function fromCryptoKey(key: webcrypto.CryptoKey, algorithm: SignatureAlgorithm): KeyObject | undefined {
  if (key.type !== 'public' || !key.usages.includes('verify')) return undefined;
  const declared = key.algorithm as { name: string; namedCurve?: string; hash?: { name?: string } };
  switch (algorithm.kty) {
    case 'EC':
      if (declared.name !== 'ECDSA' || declared.namedCurve !== algorithm.crv) return undefined;
      break;
    case 'OKP':
      if (declared.name !== 'Ed25519') return undefined;
      break;
    case 'RSA':
      if (declared.name !== (algorithm.pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5')) return undefined;
      if (declared.hash?.name !== `SHA-${algorithm.hash?.slice(3)}`) return undefined;
      break;
  }
  return KeyObject.from(key);
}

const NODE_CURVES: Readonly<Record<string, string>> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

/** The key material itself: a public key of the algorithm's type and curve, RSA long enough. */
function fits(key: KeyObject, algorithm: SignatureAlgorithm): boolean {
  if (key.type !== 'public') return false;
  switch (algorithm.kty) {
    case 'EC':
      return (
        key.asymmetricKeyType === 'ec' &&
        algorithm.crv !== undefined &&
        key.asymmetricKeyDetails?.namedCurve === NODE_CURVES[algorithm.crv]
      );
    case 'OKP':
      return key.asymmetricKeyType === 'ed25519';
    case 'RSA': {
      const bits = key.asymmetricKeyDetails?.modulusLength;
      const type = key.asymmetricKeyType;
      const rsa = type === 'rsa' || (algorithm.pss === true && type === 'rsa-pss');
      return rsa && bits !== undefined && bits >= minimumRsaModulusBits;
    }
  }
}
