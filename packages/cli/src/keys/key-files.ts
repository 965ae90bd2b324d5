import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ConfirmationKey, importCnfKey, signatureAlgorithms } from '@wimse-pep/core/signing';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { UsageError } from '../io.js';

/** Algorithms `keygen` and the development issuer create keys for. */
export const GENERATED_ALGORITHMS = ['ES256', 'EdDSA'] as const;
export type GeneratedAlgorithm = (typeof GENERATED_ALGORITHMS)[number];

/** Members only a private or symmetric JWK has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface LoadedKey {
  /** Present when the file holds a private key. */
  readonly privateKey: KeyObject | undefined;
  readonly publicKey: KeyObject;
  /** The JWS algorithm: the JWK's `alg`, or inferred from the key type. */
  readonly alg: string;
  /** The JWK's `kid`, when the file is a JWK that has one. */
  readonly kid: string | undefined;
}

/** A fresh key pair for a JWS algorithm. */
export function generateKey(alg: GeneratedAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  return alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** The private key as a JWK with `alg` and `kid` (the RFC 7638 thumbprint unless given). */
export async function privateJwkOf(privateKey: KeyObject, alg: string, kid?: string): Promise<JsonWebKey> {
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, alg, kid: kid ?? (await thumbprintOf(createPublicKey(privateKey))) };
}

/** The public JWK of a key, with `alg` (and `kid` when given). */
export function publicJwkOf(key: KeyObject, alg: string, kid?: string): JsonWebKey & { alg: string } {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return { ...publicKey.export({ format: 'jwk' }), alg, ...(kid === undefined ? {} : { kid }) };
}

export function thumbprintOf(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK);
}

/** Infers the JWS algorithm of a key, or checks that a declared one fits it. */
export function algorithmFor(publicKey: KeyObject, declared: unknown, where: string): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (declared !== undefined) {
    const algorithm = typeof declared === 'string' ? signatureAlgorithms[declared] : undefined;
    if (algorithm === undefined || !Object.hasOwn(signatureAlgorithms, declared as string)) {
      throw new UsageError(`${where}: alg ${String(declared)} is not an asymmetric JWS signature algorithm`);
    }
    if (algorithm.kty !== jwk.kty || (algorithm.crv !== undefined && algorithm.crv !== jwk.crv)) {
      throw new UsageError(`${where}: alg ${String(declared)} does not fit a ${jwk.kty} ${jwk.crv ?? ''} key`.trim());
    }
    return declared as string;
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-384') return 'ES384';
  if (jwk.kty === 'EC' && jwk.crv === 'P-521') return 'ES512';
  throw new UsageError(`${where}: cannot infer the algorithm of a ${jwk.kty} key; put "alg" in the JWK`);
}

/**
 * Reads a key file: a JWK (private or public, JSON) or a PEM key. A private key's public half is
 * derived; `alg` comes from the JWK or is inferred from the key type.
 */
export function loadKeyFile(path: string, what: string, declaredAlg?: string): LoadedKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`${what} ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return parseKey(text, `${what} ${path}`, declaredAlg);
}

export function parseKey(text: string, where: string, declaredAlg?: string): LoadedKey {
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject;
  let jwk: Record<string, unknown> | undefined;
  try {
    if (text.startsWith('{')) {
      jwk = JSON.parse(text) as Record<string, unknown>;
      if (Array.isArray(jwk.keys)) throw new Error('it is a key set (JWKS), not one key');
      const isPrivate = PRIVATE_MEMBERS.some((member) => member in (jwk as object));
      if (isPrivate && 'k' in jwk) throw new Error('a symmetric key cannot sign WITs or requests');
      privateKey = isPrivate ? createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }) : undefined;
      publicKey = privateKey ? createPublicKey(privateKey) : createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } else if (text.includes('PRIVATE KEY-----')) {
      privateKey = createPrivateKey(text);
      publicKey = createPublicKey(privateKey);
    } else {
      publicKey = createPublicKey(text);
    }
  } catch (error) {
    throw new UsageError(`${where} does not hold a usable key (a JWK or PEM): ${(error as Error).message}`);
  }
  const alg = algorithmFor(publicKey, declaredAlg ?? jwk?.alg, where);
  const kid = typeof jwk?.kid === 'string' ? jwk.kid : undefined;
  return { privateKey, publicKey, alg, kid };
}

/**
 * Validates a workload's public JWK as a WIT's `cnf.jwk` must be: public only, an asymmetric
 * signature `alg` consistent with the key type, a valid key. Returns it normalized (the public
 * members, `alg`, and `kid` when given). Throws a TypeError with the reason.
 */
export function validatePublicJwk(value: unknown): JsonWebKey & { alg: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError('jwk must be a JSON object');
  const jwk = value as Record<string, unknown>;
  // The verifier's own cnf.jwk rules: what this issuer accepts, a PEP will accept.
  let key: ConfirmationKey;
  try {
    key = importCnfKey({ jwk });
  } catch (error) {
    throw new TypeError(`jwk: ${(error as Error).message}`);
  }
  return publicJwkOf(key.publicKey, key.alg, typeof jwk.kid === 'string' ? jwk.kid : undefined);
}
