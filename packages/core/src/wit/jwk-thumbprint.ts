import { sha256Base64url } from '../base/runtime/hash.js';

/** The RFC 7638 SHA-256 thumbprint (base64url) of a thumbprint input (jwkThumbprintInput): one small hash. */
export function thumbprintOfInput(input: string): string {
  return sha256Base64url(input);
}

/**
 * The RFC 7638 thumbprint input: the required members of the key type only, in lexicographic
 * order, as JSON without whitespace (JSON.stringify of strings gives the RFC's escaping). Equal
 * inputs mean equal public keys. A missing or non-string required member is a TypeError (the key
 * cannot be valid either); so is a key type other than EC, OKP and RSA.
 */
export function jwkThumbprintInput(jwk: Readonly<Record<string, unknown>>): string {
  switch (jwk.kty) {
    case 'EC':
      return JSON.stringify({ crv: member(jwk, 'crv'), kty: 'EC', x: member(jwk, 'x'), y: member(jwk, 'y') });
    case 'OKP':
      return JSON.stringify({ crv: member(jwk, 'crv'), kty: 'OKP', x: member(jwk, 'x') });
    case 'RSA':
      return JSON.stringify({ e: member(jwk, 'e'), kty: 'RSA', n: member(jwk, 'n') });
    default:
      throw new TypeError(`no RFC 7638 thumbprint for kty ${String(jwk.kty)}`);
  }
}

function member(jwk: Readonly<Record<string, unknown>>, name: string): string {
  const value = jwk[name];
  if (typeof value !== 'string' || value === '') throw new TypeError(`JWK member ${name} is missing or not a string`);
  return value;
}
