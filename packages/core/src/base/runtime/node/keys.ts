import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** A key the runtime signs or verifies with: node:crypto's KeyObject on Node. */
export type RuntimeKey = KeyObject;

/** A JSON Web Key as the runtime imports it. */
export type RuntimeJwk = JsonWebKey;

/** Imports a public JWK; throws when it is not a valid key (an off-curve EC point among others). */
export function importPublicJwk(jwk: Readonly<Record<string, unknown>>): RuntimeKey {
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
}

/** A private key given as a runtime key or as a private JWK; a TypeError for anything else. */
export function importPrivateKey(key: RuntimeKey | RuntimeJwk): RuntimeKey {
  const privateKey = isRuntimeKey(key) ? key : createPrivateKey({ key, format: 'jwk' });
  if (privateKey.type !== 'private') throw new TypeError('privateKey must be a private key');
  return privateKey;
}

function isRuntimeKey(value: unknown): value is RuntimeKey {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The modulus length of an RSA key, in bits; undefined for other key types. */
export function rsaModulusBits(key: RuntimeKey): number | undefined {
  return key.asymmetricKeyDetails?.modulusLength;
}
