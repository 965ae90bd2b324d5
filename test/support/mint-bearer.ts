import { type JWTPayload, SignJWT } from 'jose';
import type { TestKeyPair } from './keys.js';
import { NOW_SEC } from './scenario.js';

export const BEARER_ISSUER = 'https://oauth.td.example';
export const BEARER_AUDIENCE = 'https://orders.internal.example';

export interface MintBearerOptions {
  readonly key: TestKeyPair;
  readonly sub: string;
  readonly kid?: string;
  readonly iss?: string;
  readonly aud?: string;
  readonly iat?: number;
  readonly exp?: number;
  readonly typ?: string;
  readonly extraClaims?: JWTPayload;
}

/** Mints a bearer JWT with jose, as an OAuth server or a SPIRE JWT-SVID issuer would. */
export function mintBearer(options: MintBearerOptions): Promise<string> {
  return new SignJWT({ scope: 'orders:read', ...options.extraClaims })
    .setProtectedHeader({
      alg: options.key.alg,
      typ: options.typ ?? 'at+jwt',
      kid: options.kid ?? 'bearer-1',
    })
    .setSubject(options.sub)
    .setIssuer(options.iss ?? BEARER_ISSUER)
    .setAudience(options.aud ?? BEARER_AUDIENCE)
    .setIssuedAt(options.iat ?? NOW_SEC - 60)
    .setExpirationTime(options.exp ?? NOW_SEC + 3600)
    .setJti(`bearer-${Math.random().toString(36).slice(2)}`)
    .sign(options.key.privateKey);
}
