import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface TestKeyPair {
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: JsonWebKey & { alg: string; kid?: string };
}

/** Generates a real key pair for a JWS algorithm. */
export function generateTestKey(alg: 'ES256' | 'EdDSA' | 'RS256' | 'ES384' | 'PS256', kid?: string): TestKeyPair {
  const pair =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : alg === 'ES384'
          ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  return {
    alg,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicJwk: { ...jwk, alg, ...(kid === undefined ? {} : { kid }) },
  };
}
