import { generateKeyPairSync } from 'node:crypto';

/** A new P-256 key pair, with the public half as a JWK marked ES256 (what the dev issuer binds). */
export function es256KeyPair() {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { pair, jwk: { ...pair.publicKey.export({ format: 'jwk' }), alg: 'ES256' } };
}
