import { errors, type FlattenedJWSInput, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';
import { checkCompactEncoding } from '../base/jose/check-compact-encoding.js';
import { checkCriticalHeader } from '../base/jose/check-critical-header.js';
import { parseJsonObject } from '../base/jose/parse-json-object.js';
import { latin1Bytes } from '../base/runtime/bytes.js';
import { issuerKeyObject } from '../base/runtime/issuer-key-object.js';
import { lookupSignatureAlgorithm } from '../base/runtime/signature-algorithms.js';
import { type SignatureVerification, verifyInMode } from '../base/runtime/verify-signature-bytes.js';
import { type ParsedWorkloadId, parseWorkloadId } from '../identifier/parse-workload-id.js';
import type { SignatureProfile } from '../profiles/profiles.js';
import type { TrustedIssuer, TrustRegistry } from '../trust/build-trust-registry.js';
import { keyLookupFailingClosed } from '../trust/key-lookup-failing-closed.js';
import { checkProfileClaims, checkProfileHeader } from './check-issuer-profile.js';
import { checkWitTimes } from './check-wit-times.js';
import { type ConfirmationKey, importCnfKey } from './import-cnf-key.js';

/** A WIT whose signature, issuer binding, times and confirmation key have all been checked. */
export interface VerifiedWit {
  readonly token: string;
  readonly header: JWTHeaderParameters;
  readonly claims: JWTPayload;
  readonly subject: ParsedWorkloadId;
  readonly issuer: TrustedIssuer;
  readonly cnf: ConfirmationKey;
  readonly keyThumbprint: string;
  readonly expiresAt: number;
  /** The generation of the issuer's key set it was verified under (see IssuerKeys.generation). */
  readonly keyGeneration: number;
}

export interface WitVerificationContext {
  readonly trust: TrustRegistry;
  readonly profile: SignatureProfile;
  readonly clockToleranceSec: number;
  readonly nowMs: number;
  /** Longest accepted `exp - iat` (or `exp - now` without `iat`), in seconds; default one day. */
  readonly maxLifetimeSec?: number;
  /** Where the WIT's signature is checked, as for every signature (default `thread-pool`). */
  readonly signatureVerification?: SignatureVerification;
}

/** Default cap on a WIT's `exp - iat`: workload-creds wants WITs short-lived, "on the order of hours". */
export const DEFAULT_MAX_WIT_LIFETIME_SEC = 86_400;

/**
 * Step 2: validates a WIT completely, in the order the drafts prescribe: header, then a canonical
 * `sub` whose origin selects the one allowlisted issuer, then that issuer's signature, times and
 * the confirmation key. Nothing from the token chooses where keys come from.
 *
 * The JWS is checked with node:crypto on the issuer key's KeyObject (trust/issuer-key-object.ts),
 * not with jose's jwtVerify: WebCrypto's algorithm normalization, its async job and a second and
 * third decoding of the token were most of a cold request's cost (bench/results/verify-request.md). The
 * key set still selects the key through jose's lookup, and every check jwtVerify made is made
 * here, with the same codes and in the same order (crit and b64, the key, the signature, then the
 * claims: check-wit-times.ts).
 */
export async function verifyWit(token: string, context: WitVerificationContext): Promise<VerifiedWit> {
  // Decoded once: the canonical-encoding check hands back the bytes it decoded.
  const segments = checkCompactEncoding(token);
  const [headerBytes, payloadBytes, signature] = segments;
  const parsedHeader = segments.length === 3 && headerBytes?.length ? parseJsonObject(headerBytes) : undefined;
  const parsedClaims = parsedHeader && payloadBytes ? parseJsonObject(payloadBytes) : undefined;
  if (!parsedHeader || !parsedClaims || !signature) {
    throw new WimseError('wit_malformed', 'Workload-Identity-Token does not decode as a JWT');
  }
  const header = parsedHeader as JWTHeaderParameters;
  const claims = parsedClaims as JWTPayload;
  if (!acceptedType(header.typ, context.profile.witTypes)) {
    throw new WimseError('wit_invalid', 'WIT typ is not wit+jwt');
  }
  const algorithm = lookupSignatureAlgorithm(header.alg);
  if (!algorithm) {
    throw new WimseError('wit_invalid', 'WIT alg is not an asymmetric signature algorithm');
  }
  const alg = header.alg as string;
  const subject = parseWorkloadId(claims.sub);
  const issuer = context.trust.get(subject.origin);
  if (!issuer) throw new WimseError('untrusted_issuer', `no issuer is trusted for ${subject.origin}`);
  checkIssuerClaim(claims.iss, issuer);
  if (!issuer.algorithms.includes(alg)) {
    throw new WimseError('wit_invalid', `WIT alg ${alg} is not allowed for this issuer`);
  }
  checkProfileHeader(header, issuer.profile);

  const [encodedHeader, encodedPayload, encodedSignature] = token.split('.') as [string, string, string];
  let keyGeneration: number;
  let key: unknown;
  try {
    keyGeneration = await issuer.keys.generation();
    // What jose's jwtVerify checked before asking for the key, in its order.
    const encodedPayloadRequired = checkCriticalHeader(header);
    const jws: FlattenedJWSInput = { protected: encodedHeader, payload: encodedPayload, signature: encodedSignature };
    key = await keyLookupFailingClosed(issuer.keys.getKey)(header, jws);
    if (!encodedPayloadRequired) throw new WimseError('wit_invalid', 'a WIT must not use an unencoded payload');
  } catch (cause) {
    throw mapJoseError(cause);
  }
  const keyObject = issuerKeyObject(key, alg, algorithm);
  if (!keyObject) throw new WimseError('wit_invalid', `the trusted key cannot verify ${alg}`);
  const signingInput = latin1Bytes(token.slice(0, encodedHeader.length + 1 + encodedPayload.length));
  const mode = context.signatureVerification ?? 'thread-pool';
  // A signature of the wrong length, or one node:crypto cannot read, is a failed verification.
  const lengthFits = algorithm.signatureLength === undefined || signature.length === algorithm.signatureLength;
  const verified =
    lengthFits && (await verifyInMode(signingInput, signature, keyObject, algorithm, mode).catch(() => false));
  if (!verified) {
    throw new WimseError('wit_invalid', 'WIT signature does not verify');
  }
  checkWitTimes(claims, context.nowMs, context.clockToleranceSec);
  // A WIT issued in the future is not valid yet (W5).
  if (typeof claims.iat === 'number' && claims.iat > context.nowMs / 1000 + context.clockToleranceSec) {
    throw new WimseError('wit_invalid', 'WIT iat is in the future');
  }
  if (claims.aud !== undefined && !context.profile.witAudienceTolerated) {
    throw new WimseError('wit_invalid', 'a WIT carries no aud claim');
  }
  checkProfileClaims(claims, issuer.profile);
  // workload-creds: unreasonably long lifetimes SHOULD be rejected (W5, `exp` far ahead).
  const maxLifetimeSec = context.maxLifetimeSec ?? DEFAULT_MAX_WIT_LIFETIME_SEC;
  const start = typeof claims.iat === 'number' ? claims.iat : context.nowMs / 1000;
  if ((claims.exp as number) - start > maxLifetimeSec) {
    throw new WimseError('wit_invalid', `WIT lifetime exceeds ${maxLifetimeSec} s`);
  }
  const cnf = importCnfKey(claims.cnf);
  // http-signature-07 §3.1: the proof algorithm must be acceptable for the caller's trust domain.
  if (!issuer.proofAlgorithms.includes(cnf.alg)) {
    throw new WimseError(
      'wit_invalid',
      `cnf.jwk.alg ${cnf.alg} is not accepted for trust domain ${issuer.trustDomain}`,
    );
  }
  return {
    token,
    header,
    claims,
    subject,
    issuer,
    cnf,
    keyThumbprint: cnf.thumbprint,
    expiresAt: claims.exp as number,
    keyGeneration,
  };
}

function acceptedType(typ: unknown, accepted: readonly string[]): boolean {
  if (typeof typ !== 'string') return false;
  const normalized = typ.toLowerCase().replace(/^application\//, '');
  return accepted.includes(normalized);
}

function checkIssuerClaim(iss: unknown, issuer: TrustedIssuer): void {
  if (iss === undefined) {
    if (issuer.requireIssuerClaim) throw new WimseError('untrusted_issuer', 'WIT has no iss claim');
    return;
  }
  if (iss !== issuer.issuer) throw new WimseError('untrusted_issuer', 'WIT iss is not the issuer bound to its origin');
}

function mapJoseError(cause: unknown): WimseError {
  if (cause instanceof WimseError) return cause;
  if (cause instanceof errors.JWTExpired) return new WimseError('wit_expired', 'WIT has expired', { cause });
  if (cause instanceof errors.JWKSNoMatchingKey) {
    return new WimseError('wit_invalid', 'no trusted key matches the WIT kid', { cause });
  }
  if (cause instanceof errors.JWKSMultipleMatchingKeys) {
    return new WimseError('wit_invalid', 'the WIT does not select one trusted key', { cause });
  }
  if (cause instanceof errors.JWSSignatureVerificationFailed) {
    return new WimseError('wit_invalid', 'WIT signature does not verify', { cause });
  }
  if (cause instanceof errors.JWTClaimValidationFailed) {
    return new WimseError('wit_invalid', `WIT claim ${cause.claim} is not acceptable: ${cause.reason}`, { cause });
  }
  if (cause instanceof errors.JOSEError) {
    return new WimseError('wit_invalid', `WIT rejected: ${cause.code}`, { cause });
  }
  return new WimseError('wit_invalid', 'WIT could not be verified', { cause });
}
