import { type KeyObject, sign } from 'node:crypto';
import { base64url, type JWTPayload, SignJWT } from 'jose';
import type { TestKeyPair } from './keys.js';

export interface MintWitOptions {
  readonly issuerKey: TestKeyPair;
  readonly kid?: string | undefined;
  readonly sub: string;
  readonly cnfJwk: Record<string, unknown>;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
  readonly iss?: string;
  readonly typ?: string;
  readonly alg?: string;
  readonly extraClaims?: JWTPayload;
  readonly extraHeader?: Record<string, unknown>;
  /** Sign with this key instead of the issuer's (a forged WIT). */
  readonly signingKey?: KeyObject;
}

/** Mints a WIT with jose, as an identity server would. */
export function mintWit(options: MintWitOptions): Promise<string> {
  const claims: JWTPayload = {
    sub: options.sub,
    cnf: { jwk: options.cnfJwk },
    iat: options.iat,
    exp: options.exp,
    jti: `wit-${options.iat}-${Math.random().toString(36).slice(2)}`,
    ...(options.iss === undefined ? {} : { iss: options.iss }),
    ...options.extraClaims,
  };
  const header = {
    alg: options.alg ?? options.issuerKey.alg,
    typ: options.typ ?? 'wit+jwt',
    ...(options.kid === undefined ? {} : { kid: options.kid }),
    ...options.extraHeader,
  };
  const key = options.signingKey ?? options.issuerKey.privateKey;
  // jose refuses to sign what it would refuse to verify (an unknown `crit`): sign those by hand.
  if ('crit' in header) return signCompactByHand(header, claims, key, header.alg);
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

function signCompactByHand(header: object, claims: JWTPayload, key: KeyObject, alg: string): Promise<string> {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}`;
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  const signature = sign(hash, Buffer.from(input), alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return Promise.resolve(`${input}.${base64url.encode(signature)}`);
}
