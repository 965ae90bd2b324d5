import { decodeJwt, decodeProtectedHeader } from 'jose';
import { CredentialError } from '../errors/credential-error.js';

/** A bearer token, checked once: what the client sends and when it stops being worth sending. */
export interface CheckedBearerToken {
  readonly token: string;
  /** The JWT's `exp` in seconds since the epoch; undefined for an opaque token (or a JWT without `exp`). */
  readonly expiresAt: number | undefined;
  /** The JWT's `iat`, when it has one. */
  readonly issuedAt: number | undefined;
}

/** RFC 6750 section 2.1 `b64token`: what may follow `Bearer ` in an Authorization field. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** The WIT media type, with or without `application/` (RFC 7515 section 4.1.9). */
const WIT_TYP = /^(application\/)?wit\+jwt$/i;

/**
 * Checks a bearer token before it is ever sent: RFC 6750 syntax (without the `Bearer ` scheme),
 * and never a WIT (a WIT proves nothing without its key, and a PEP refuses one offered as a bearer
 * token). A JWT's `exp` and `iat` are read, not verified (the token is the server's to verify), so
 * that an expired token is not sent and a refreshing source knows when to ask again. Messages
 * never contain the token.
 */
export function checkBearerToken(token: unknown, where: string): CheckedBearerToken {
  if (typeof token !== 'string' || token === '')
    throw new CredentialError(`${where}: the bearer token must be a non-empty string`);
  const value = token.trim();
  if (/^bearer\s/i.test(value)) {
    throw new CredentialError(`${where}: give the bearer token without the "Bearer " scheme; the client adds it`);
  }
  if (!B64TOKEN.test(value)) {
    throw new CredentialError(
      `${where}: the bearer token has characters an Authorization field cannot carry (RFC 6750 b64token)`,
    );
  }
  if (!JWT.test(value)) return { token: value, expiresAt: undefined, issuedAt: undefined };
  let typ: unknown;
  let claims: Record<string, unknown>;
  try {
    typ = decodeProtectedHeader(value).typ;
    claims = decodeJwt(value);
  } catch {
    // Three dot-separated parts that are not a JWS: an opaque token after all.
    return { token: value, expiresAt: undefined, issuedAt: undefined };
  }
  if (typeof typ === 'string' && WIT_TYP.test(typ)) {
    throw new CredentialError(
      `${where}: the bearer token is a WIT (typ ${typ}); a WIT is never a bearer token: give it as credentials with its key`,
    );
  }
  return {
    token: value,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
    issuedAt: typeof claims.iat === 'number' ? claims.iat : undefined,
  };
}
