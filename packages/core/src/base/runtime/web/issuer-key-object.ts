import { minimumRsaModulusBits, type SignatureAlgorithm } from '../../algorithms/signature-algorithms.js';
import { isCryptoKey, type WebCryptoKey, type WebRuntimeKey } from './web-key.js';

/**
 * The runtime key of an issuer key, for the verification of a WIT's JWS. Key sets hand out jose
 * keys (CryptoKeys); each is wrapped once and remembered by the key itself, so selection (kid,
 * alg, refetch, withdrawal) stays with the key set. Undefined when the key does not fit the
 * algorithm as jose required it to (public, of the algorithm's type, curve and hash, allowed to
 * verify, an RSA modulus of at least 2048 bits); the caller refuses the WIT.
 */
export function issuerKeyObject(key: unknown, alg: string, algorithm: SignatureAlgorithm): WebRuntimeKey | undefined {
  if (!isCryptoKey(key)) return undefined;
  let byAlg = converted.get(key);
  const cached = byAlg?.get(alg);
  if (cached !== undefined) return cached;
  if (!fits(key, algorithm)) return undefined;
  const declared = key.algorithm as { modulusLength?: number };
  const wrapped: WebRuntimeKey = {
    type: 'public',
    jwk: undefined,
    cryptoKey: key,
    modulusBits: declared.modulusLength,
    imported: new Map(),
  };
  if (byAlg === undefined) {
    byAlg = new Map();
    converted.set(key, byAlg);
  }
  byAlg.set(alg, wrapped);
  return wrapped;
}

const converted = new WeakMap<object, Map<string, WebRuntimeKey>>();

function fits(key: WebCryptoKey, algorithm: SignatureAlgorithm): boolean {
  if (key.type !== 'public' || !key.usages.includes('verify')) return false;
  const declared = key.algorithm as {
    name: string;
    namedCurve?: string;
    hash?: { name?: string };
    modulusLength?: number;
  };
  switch (algorithm.kty) {
    case 'EC':
      return declared.name === 'ECDSA' && declared.namedCurve === algorithm.crv;
    case 'OKP':
      return declared.name === 'Ed25519';
    case 'RSA':
      return (
        declared.name === (algorithm.pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5') &&
        declared.hash?.name === `SHA-${algorithm.hash?.slice(3)}` &&
        (declared.modulusLength ?? 0) >= minimumRsaModulusBits
      );
  }
}
