import { errors, type JWTPayload, jwtVerify } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';
import { checkCompactEncoding } from '../base/jose/check-compact-encoding.js';
import { parseJsonObject } from '../base/jose/parse-json-object.js';
import { tokenHash } from '../base/jose/token-hash.js';
import type { TransactionContext } from '../identity/transaction-context.js';
import type { TransactionTokenSettings } from './normalize-transaction-token-options.js';

/** The JOSE `typ` of a Txn-Token (draft-ietf-oauth-transaction-tokens §4.1). */
const TXN_TOKEN_TYPE = 'txntoken+jwt';
const REQUIRED_CLAIMS = ['iat', 'aud', 'exp', 'txn', 'sub', 'scope', 'req_wl'];

/** A Txn-Token's verified context, before the caller's proof has been found to bind it. */
export type VerifiedTransactionToken = Omit<TransactionContext, 'bound'>;

/**
 * Verifies one Txn-Token (read by readTxnToken) with the Transaction Token Service's keys: `typ`,
 * an allowed algorithm, the signature, `aud` naming this service's trust domain, `iss` when
 * configured, the times and the lifetime, then the claims the draft requires, each of its type.
 * Each failure has its own code; a key set that cannot answer is 503 `unavailable`.
 */
export async function verifyTxnToken(
  token: string,
  settings: TransactionTokenSettings,
  nowMs: number,
): Promise<VerifiedTransactionToken> {
  let header: Record<string, unknown> | undefined;
  let payload: Record<string, unknown> | undefined;
  try {
    // One spelling per token (no padding bits, no repeated JSON member): the same rule as a WIT's.
    const [headerBytes, payloadBytes] = checkCompactEncoding(token);
    header = headerBytes === undefined ? undefined : parseJsonObject(headerBytes);
    payload = payloadBytes === undefined ? undefined : parseJsonObject(payloadBytes);
  } catch (cause) {
    throw new WimseError('txn_token_malformed', 'the Txn-Token does not decode as one JWT', { cause });
  }
  if (header === undefined || payload === undefined) {
    throw new WimseError('txn_token_malformed', 'the Txn-Token header or claims are not a JSON object');
  }
  // Before any key is looked up: a token of another kind, or of an algorithm not allowed.
  if (typeof header.typ !== 'string' || header.typ.toLowerCase().replace(/^application\//, '') !== TXN_TOKEN_TYPE) {
    throw new WimseError('txn_token_invalid', 'the Txn-Token typ is not txntoken+jwt');
  }
  if (typeof header.alg !== 'string' || !settings.algorithms.includes(header.alg)) {
    throw new WimseError('txn_token_invalid', 'the Txn-Token alg is not allowed');
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, settings.getKey, {
      typ: TXN_TOKEN_TYPE,
      algorithms: [...settings.algorithms],
      audience: [...settings.audiences],
      ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
      currentDate: new Date(nowMs),
      clockTolerance: settings.clockToleranceSec,
      requiredClaims: REQUIRED_CLAIMS,
    }));
  } catch (cause) {
    throw joseFailure(cause);
  }
  const iat = claims.iat as number;
  const exp = claims.exp as number;
  if (iat > nowMs / 1000 + settings.clockToleranceSec) {
    throw new WimseError('txn_token_expired', 'the Txn-Token iat is in the future');
  }
  if (exp - iat > settings.maxLifetimeSec) {
    throw new WimseError('txn_token_lifetime', `the Txn-Token lifetime exceeds ${settings.maxLifetimeSec} s`);
  }
  const scope = claimString(claims, 'scope', true);
  return {
    txn: claimString(claims, 'txn'),
    sub: claimString(claims, 'sub'),
    scope,
    scopes: scope.split(' ').filter((item) => item !== ''),
    requestingWorkload: claimString(claims, 'req_wl'),
    tctx: claimObject(claims, 'tctx'),
    rctx: claimObject(claims, 'rctx'),
    issuer: typeof claims.iss === 'string' ? claims.iss : undefined,
    issuedAt: iat,
    expiresAt: exp,
    tokenHash: tokenHash(token),
  };
}

function claimString(claims: JWTPayload, name: string, emptyAllowed = false): string {
  const value = claims[name];
  if (typeof value !== 'string' || (value === '' && !emptyAllowed)) {
    throw new WimseError(
      'txn_token_malformed',
      `the Txn-Token ${name} claim is not a ${emptyAllowed ? '' : 'non-empty '}string`,
    );
  }
  return value;
}

function claimObject(claims: JWTPayload, name: string): Readonly<Record<string, unknown>> | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WimseError('txn_token_malformed', `the Txn-Token ${name} claim is not a JSON object`);
  }
  return Object.freeze(value as Record<string, unknown>);
}

/** jose's refusals as the Txn-Token codes; the key set's own 503 passes unchanged. */
function joseFailure(cause: unknown): WimseError {
  if (cause instanceof WimseError) return cause;
  if (cause instanceof errors.JWTExpired)
    return new WimseError('txn_token_expired', 'the Txn-Token has expired', { cause });
  if (cause instanceof errors.JWTClaimValidationFailed) {
    if (cause.claim === 'iss') {
      return new WimseError('txn_token_invalid', 'the Txn-Token iss is not the configured issuer', { cause });
    }
    if (cause.reason === 'missing' || cause.reason === 'invalid') {
      return new WimseError('txn_token_malformed', `the Txn-Token ${cause.claim} claim is missing or mistyped`, {
        cause,
      });
    }
    if (cause.claim === 'aud') {
      return new WimseError('txn_token_audience_mismatch', 'the Txn-Token aud is not this trust domain', { cause });
    }
    if (cause.claim === 'nbf') return new WimseError('txn_token_expired', 'the Txn-Token is not valid yet', { cause });
    return new WimseError('txn_token_invalid', `the Txn-Token ${cause.claim} is not acceptable`, { cause });
  }
  if (cause instanceof errors.JWKSNoMatchingKey) {
    return new WimseError('txn_token_unknown_key', 'no key of the Transaction Token Service matches the Txn-Token', {
      cause,
    });
  }
  if (cause instanceof errors.JWSSignatureVerificationFailed) {
    return new WimseError('txn_token_invalid', 'the Txn-Token signature does not verify', { cause });
  }
  if (cause instanceof errors.JOSEAlgNotAllowed || cause instanceof errors.JWKSMultipleMatchingKeys) {
    return new WimseError('txn_token_invalid', `the Txn-Token was refused: ${cause.code}`, { cause });
  }
  if (cause instanceof errors.JWTInvalid || cause instanceof errors.JWSInvalid) {
    return new WimseError('txn_token_malformed', `the Txn-Token was refused: ${cause.code}`, { cause });
  }
  if (cause instanceof errors.JOSEError) {
    return new WimseError('txn_token_invalid', `the Txn-Token was refused: ${cause.code}`, { cause });
  }
  return new WimseError('txn_token_invalid', 'the Txn-Token could not be verified', { cause });
}
