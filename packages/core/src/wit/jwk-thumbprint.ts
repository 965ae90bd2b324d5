import { createHash } from 'node:crypto';

/**
 * The RFC 7638 SHA-256 thumbprint (base64url) of a public JWK of type EC, OKP or RSA: the
 * required members only, in lexicographic order, as JSON without whitespace (JSON.stringify of
 * strings gives the RFC's escaping). Synchronous, so it costs one small hash and no async job.
 * A missing or non-string required member is a TypeError (the key cannot be valid either).
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  let canonical: string;
  switch (jwk.kty) {
    case 'EC':
      canonical = JSON.stringify({ crv: member(jwk, 'crv'), kty: 'EC', x: member(jwk, 'x'), y: member(jwk, 'y') });
      break;
    case 'OKP':
      canonical = JSON.stringify({ crv: member(jwk, 'crv'), kty: 'OKP', x: member(jwk, 'x') });
      break;
    case 'RSA':
      canonical = JSON.stringify({ e: member(jwk, 'e'), kty: 'RSA', n: member(jwk, 'n') });
      break;
    default:
      throw new TypeError(`no RFC 7638 thumbprint for kty ${String(jwk.kty)}`);
  }
  return createHash('sha256').update(canonical).digest('base64url');
}

function member(jwk: Readonly<Record<string, unknown>>, name: string): string {
  const value = jwk[name];
  if (typeof value !== 'string' || value === '') throw new TypeError(`JWK member ${name} is missing or not a string`);
  return value;
}
