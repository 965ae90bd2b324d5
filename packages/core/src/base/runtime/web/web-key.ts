import type { SignatureAlgorithm } from '../../algorithms/signature-algorithms.js';

/** A Web Crypto CryptoKey (the global type of every runtime with Web Crypto). */
export type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/**
 * A key of the Web Crypto backend: a JWK checked at once (synchronously, as node:crypto's import
 * is) and imported into a CryptoKey on first use for each JWS algorithm, or a CryptoKey given.
 */
export interface WebRuntimeKey {
  readonly type: 'public' | 'private';
  readonly jwk: Readonly<Record<string, unknown>> | undefined;
  readonly cryptoKey: WebCryptoKey | undefined;
  /** RSA only: the modulus length in bits. */
  readonly modulusBits: number | undefined;
  readonly imported: Map<string, Promise<WebCryptoKey>>;
}

/** The JWK members a key is made of; `alg`, `use`, `key_ops` are checked by the core, not re-checked on import. */
const KEY_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

export function isCryptoKey(value: unknown): value is WebCryptoKey {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'CryptoKey'
  );
}

/** The Web Crypto import algorithm of a JWS algorithm (RFC 7518 §3). */
export function importAlgorithm(algorithm: SignatureAlgorithm) {
  const hash = algorithm.hash === null ? undefined : `SHA-${algorithm.hash.slice(3)}`;
  switch (algorithm.kty) {
    case 'EC':
      return { name: 'ECDSA', namedCurve: algorithm.crv as string };
    case 'OKP':
      return { name: 'Ed25519' };
    case 'RSA':
      return { name: algorithm.pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash: hash as string };
  }
}

/** The sign/verify parameters: the hash for ECDSA, the salt length (the hash's) for RSA-PSS. */
export function operationAlgorithm(algorithm: SignatureAlgorithm) {
  const hash = algorithm.hash === null ? undefined : `SHA-${algorithm.hash.slice(3)}`;
  if (algorithm.kty === 'EC') return { name: 'ECDSA', hash: hash as string };
  if (algorithm.pss) return { name: 'RSA-PSS', saltLength: Number(algorithm.hash?.slice(3)) / 8 };
  return importAlgorithm(algorithm);
}

/** The CryptoKey of `key` for `algorithm`, imported once. */
export function cryptoKeyFor(key: WebRuntimeKey, algorithm: SignatureAlgorithm): Promise<WebCryptoKey> {
  if (key.cryptoKey !== undefined) return Promise.resolve(key.cryptoKey);
  const name = `${algorithm.kty}/${algorithm.crv ?? ''}/${algorithm.hash ?? ''}/${algorithm.pss === true}`;
  let imported = key.imported.get(name);
  if (imported === undefined) {
    const jwk = Object.fromEntries(KEY_MEMBERS.filter((m) => key.jwk?.[m] !== undefined).map((m) => [m, key.jwk?.[m]]));
    const usages: ('sign' | 'verify')[] = [key.type === 'private' ? 'sign' : 'verify'];
    imported = crypto.subtle.importKey('jwk', jwk, importAlgorithm(algorithm), false, usages);
    key.imported.set(name, imported);
  }
  return imported;
}
