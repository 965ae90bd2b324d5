/**
 * The security context a verified Transaction Token carries (draft-ietf-oauth-transaction-tokens):
 * on whose behalf and for what the call is made, beside who makes it (the workload identity).
 * Context, not authentication: it informs policies and is forwarded unchanged downstream.
 */
export interface TransactionContext {
  /** `txn`: the transaction's identifier, the same on every call of the transaction. */
  readonly txn: string;
  /** `sub`: the principal the transaction runs for (a user, or a workload). */
  readonly sub: string;
  /** `scope`: what the transaction may do, space-separated as issued. */
  readonly scope: string;
  /** `scope` split on spaces. */
  readonly scopes: readonly string[];
  /** `req_wl`: the workload that asked the Transaction Token Service for the token. */
  readonly requestingWorkload: string;
  /** `tctx`: the immutable authorization context, when the token has one. */
  readonly tctx?: Readonly<Record<string, unknown>> | undefined;
  /** `rctx`: the request context, when the token has one. */
  readonly rctx?: Readonly<Record<string, unknown>> | undefined;
  /** `iss`, when the token has one. */
  readonly issuer?: string | undefined;
  /** `iat` and `exp`, seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Base64url SHA-256 of the token (the WPT's `tth`): join records on it; the token is never kept. */
  readonly tokenHash: string;
  /**
   * Whether the caller's proof binds the token: an HTTP signature covering `txn-token`, or a WPT
   * whose `tth` matches. False only on a route that accepts unbound tokens (mTLS, bearer callers).
   */
  readonly bound: boolean;
}
