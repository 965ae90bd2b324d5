import type { JWTPayload } from 'jose';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { IssuerKeySource } from '../trust/trust-options.js';

/** Built-in verification of JWT bearer tokens (JWT-SVIDs, RFC 9068 access tokens) with jose. */
export type BearerJwtOptions = IssuerKeySource & {
  /** The exact `iss` of accepted tokens (one, or a list). Required. */
  readonly issuer: string | readonly string[];
  /** This service's audience: the token's `aud` must contain one of these. Required. */
  readonly audience: string | readonly string[];
  /** Accepted JWS algorithms, asymmetric only. Default: RS256, PS256, ES256, ES384, EdDSA. */
  readonly algorithms?: readonly string[];
  /** Accepted `typ` values (e.g. `['at+jwt']`); default: any `typ` but a WIT's or a WPT's. */
  readonly types?: readonly string[];
};

/**
 * What an opaque-token hook (RFC 7662 introspection, a session lookup) answers: the claims of an
 * active token, or `undefined`/`null`/`false` when the token is not active. A rejection or no
 * answer within `verifyTimeoutMs` is a dependency failure (503), never an allow.
 */
export type VerifyBearer = (
  token: string,
  request: WorkloadRequest,
  signal: AbortSignal,
) => Promise<JWTPayload | undefined | null | false> | JWTPayload | undefined | null | false;

/** How bearer tokens are verified and mapped to workload identifiers. */
export interface BearerOptions {
  /** Built-in JWT verification. */
  readonly jwt?: BearerJwtOptions;
  /** A hook for opaque tokens; used for every token that is not a JWT when `jwt` is also set. */
  readonly verifyBearer?: VerifyBearer;
  /** Timeout of `verifyBearer`, in ms (default 1000). */
  readonly verifyTimeoutMs?: number;
  /**
   * The workload identifier of a verified token: default its `sub`. It must be a canonical
   * identifier (the core's rules) inside one of `origins`.
   */
  readonly workloadId?: (claims: Readonly<JWTPayload>) => unknown;
  /** Origins (`scheme://trust-domain`) a bearer token may assert identities in. At least one. */
  readonly origins: readonly string[];
  /** Allowed clock skew for `exp`, `nbf`, `iat`, in seconds (default 60, at most 300). */
  readonly clockToleranceSec?: number;
  /** Largest accepted token, in bytes (default 8192). */
  readonly maxTokenBytes?: number;
}
