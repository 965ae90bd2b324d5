import type { KeyObject } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
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
  return new SignJWT(claims).setProtectedHeader(header).sign(options.signingKey ?? options.issuerKey.privateKey);
}
