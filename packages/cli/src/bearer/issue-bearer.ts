import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { parseWorkloadId } from '@wimse-pep/core';
import { SignJWT } from 'jose';

/**
 * The `typ` of the bearer tokens it mints: an RFC 9068 JWT access token, never `wit+jwt`, so that
 * neither kind of token can be taken for the other even though one key signs both.
 */
export const BEARER_TOKEN_TYPE = 'at+jwt';

export interface IssueBearerOptions {
  /** The identity server's private key. */
  readonly issuerKey: KeyObject;
  /** Its JWS algorithm (e.g. ES256). */
  readonly alg: string;
  readonly kid?: string | undefined;
  /** The workload identifier; must be canonical (checked with the core's parseWorkloadId). */
  readonly sub: string;
  /** The services the token is for (`aud`): one or more. */
  readonly aud: string | readonly string[];
  /** The issuer (`iss`), required by RFC 9068. */
  readonly iss: string;
  readonly ttlSec: number;
  /** Space-separated scopes (`scope`), when any. */
  readonly scope?: string | undefined;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Signs a bearer JWT access token for a workload, as a legacy OAuth server or a JWT-SVID issuer
 * would: `typ: at+jwt` and the RFC 9068 claims `iss`, `sub`, `aud`, `client_id` (the workload
 * itself), `iat`, `exp`, `jti`. It binds no key: whoever holds it is the workload, which is why
 * a migration ends with it refused. Throws the core's WimseError for a bad `sub`.
 */
export function issueBearer(options: IssueBearerOptions): Promise<string> {
  parseWorkloadId(options.sub);
  const audiences = typeof options.aud === 'string' ? [options.aud] : [...options.aud];
  if (audiences.length === 0 || audiences.some((aud) => typeof aud !== 'string' || aud === '')) {
    throw new TypeError('issueBearer: aud must name at least one audience');
  }
  if (typeof options.iss !== 'string' || options.iss === '') throw new TypeError('issueBearer: iss is required');
  const iat = Math.floor((options.now ?? Date.now)() / 1000);
  return new SignJWT({
    client_id: options.sub,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  })
    .setProtectedHeader({
      alg: options.alg,
      typ: BEARER_TOKEN_TYPE,
      ...(options.kid === undefined ? {} : { kid: options.kid }),
    })
    .setIssuer(options.iss)
    .setSubject(options.sub)
    .setAudience(audiences.length === 1 ? (audiences[0] as string) : audiences)
    .setIssuedAt(iat)
    .setExpirationTime(iat + options.ttlSec)
    .setJti(randomUUID())
    .sign(options.issuerKey);
}
