import { LRUCache } from 'lru-cache';
import { WimseError } from '../base/errors/wimse-error.js';
import { importPublicJwk, type RuntimeKey, rsaModulusBits } from '../base/runtime/keys.js';
import {
  lookupSignatureAlgorithm,
  minimumRsaModulusBits,
  type SignatureAlgorithm,
} from '../base/runtime/signature-algorithms.js';
import { jwkThumbprintInput, thumbprintOfInput } from './jwk-thumbprint.js';

/** Members that only a private or symmetric JWK has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The public key a WIT binds (`cnf.jwk`) and the one algorithm it may sign with. */
export interface ConfirmationKey {
  readonly jwk: Readonly<Record<string, unknown>>;
  /** `cnf.jwk.alg`: the only algorithm the proof of possession may use. */
  readonly alg: string;
  readonly algorithm: SignatureAlgorithm;
  readonly publicKey: RuntimeKey;
}

/** A confirmation key as importCnfKey returns it: with its thumbprint, computed on the way. */
export interface ImportedConfirmationKey extends ConfirmationKey {
  /** RFC 7638 SHA-256 thumbprint of the key, base64url. */
  readonly thumbprint: string;
}

/**
 * Public keys already imported, with their thumbprints, by RFC 7638 thumbprint input: a new WIT
 * for a workload key seen before (a re-issued WIT, one evicted from the WIT cache) skips the
 * import, which for an EC key costs about one signature verification (node:crypto validates the
 * point with a full scalar multiplication), and the hash. Only key material is cached, never a
 * trust decision: every WIT's `cnf.jwk` is still validated in full, and equal thumbprint inputs
 * mean equal key members, hence the same key.
 */
const importedKeys = new LRUCache<string, { readonly publicKey: RuntimeKey; readonly thumbprint: string }>({
  max: 1024,
});

/**
 * Validates `cnf.jwk` strictly (threat W7) and imports it: a public key, an asymmetric signature
 * `alg`, key type and curve consistent with that `alg`, a point on the curve (node:crypto refuses
 * off-curve points on import), an RSA modulus of at least 2048 bits.
 */
export function importCnfKey(cnf: unknown): ImportedConfirmationKey {
  if (!isObject(cnf) || !isObject(cnf.jwk)) throw invalid('cnf.jwk is missing or not an object');
  const jwk = cnf.jwk;
  for (const member of PRIVATE_MEMBERS) {
    if (member in jwk) throw invalid('cnf.jwk must be a public key');
  }
  const alg = jwk.alg;
  if (typeof alg !== 'string') throw invalid('cnf.jwk.alg is missing');
  const algorithm = lookupSignatureAlgorithm(alg);
  if (!algorithm) throw invalid(`cnf.jwk.alg ${alg} is not an asymmetric signature algorithm`);
  if (jwk.kty !== algorithm.kty) throw invalid(`cnf.jwk.kty does not fit alg ${alg}`);
  if (algorithm.crv !== undefined && jwk.crv !== algorithm.crv) throw invalid(`cnf.jwk.crv does not fit alg ${alg}`);
  let imported: { readonly publicKey: RuntimeKey; readonly thumbprint: string } | undefined;
  try {
    const input = jwkThumbprintInput(jwk);
    imported = importedKeys.get(input);
    if (imported === undefined) {
      const publicKey = importPublicJwk(jwk);
      imported = { publicKey, thumbprint: thumbprintOfInput(input) };
      importedKeys.set(input, imported);
    }
  } catch (cause) {
    throw new WimseError('wit_invalid', 'cnf.jwk is not a valid public key', { cause });
  }
  const { publicKey, thumbprint } = imported;
  const bits = rsaModulusBits(publicKey);
  if (algorithm.kty === 'RSA' && (bits === undefined || bits < minimumRsaModulusBits)) {
    throw invalid(`cnf.jwk RSA modulus is shorter than ${minimumRsaModulusBits} bits`);
  }
  return { jwk, alg, algorithm, publicKey, thumbprint };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): WimseError {
  return new WimseError('wit_invalid', message);
}
