import type { ReplayStore } from '../replay/replay-store.js';

/**
 * How this service reads Transaction Tokens (draft-ietf-oauth-transaction-tokens): whose keys sign
 * them, the audience it accepts, and the limits it holds them to. The guard's `transactionTokens`.
 */
export interface TransactionTokenOptions {
  /**
   * The `aud` this service accepts: its own trust domain as the Transaction Token Service names it
   * (the draft's example is a bare name, `trust-domain.example`). Configured, never derived from the
   * caller. A list accepts any of its values.
   */
  readonly audience: string | readonly string[];
  /** The Transaction Token Service's public keys (exactly one of `jwks` and `jwksUri`). */
  readonly jwks?: { readonly keys: readonly object[] };
  /**
   * Where the Transaction Token Service publishes its keys: https (plain http on loopback only),
   * cached and refetched with the rules of a WIT issuer's `jwksUri`; a key set that cannot answer
   * refuses the request (503).
   */
  readonly jwksUri?: string;
  /** A remote key set: minimum time between fetches, ms (default 30 000). */
  readonly cooldownMs?: number;
  /** A remote key set: longest use of a fetched set, ms (default 600 000). */
  readonly cacheMaxAgeMs?: number;
  /** A remote key set: timeout of one fetch, ms (default 5 000). */
  readonly timeoutMs?: number;
  /** The `iss` tokens must carry; default: `iss` is not checked (the draft makes it optional). */
  readonly issuer?: string;
  /** JWS algorithms accepted (default: the asymmetric algorithms accepted for WITs). */
  readonly algorithms?: readonly string[];
  /** Longest accepted `exp - iat`, in seconds (default 300: the draft wants minutes or less). */
  readonly maxLifetimeSec?: number;
  /** Largest accepted `Txn-Token` field value, in bytes (default 8192). */
  readonly maxBytes?: number;
  /** Clock skew tolerated on `iat` and `exp`, in seconds (default: the verifier's, else 60). */
  readonly clockToleranceSec?: number;
  /**
   * Whether every route requires a Txn-Token (default false: verified when present). A route's
   * `transactionToken` setting overrides it.
   */
  readonly required?: boolean;
  /**
   * Refuse a `txn` seen before, for the token's lifetime (default false). A transaction may call
   * the same service twice, so this suits services called once per transaction only. `true` keeps
   * the record in this process; replicas pass a shared store (the Redis one) as `{ store }`.
   */
  readonly rejectReplayedTxn?: boolean | { readonly store: ReplayStore; readonly timeoutMs?: number };
}

/** A route's requirement: `required` refuses a request without a Txn-Token (400 `txn_token_missing`). */
export type TransactionTokenRequirement = 'required' | 'optional';

/**
 * A route's answer to a Txn-Token from a caller whose proof cannot bind it (mutual TLS alone, a
 * bearer token): `refuse` (default, 400 `txn_token_unbound`) or `accept` (the context is then
 * marked `bound: false`, and the audit event says so).
 */
export type UnboundTransactionToken = 'refuse' | 'accept';
