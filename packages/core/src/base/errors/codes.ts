/**
 * Every error code the verifier can produce, with its HTTP status and a coarse, client-safe title.
 * The table is the contract: codes never change meaning, and a new code is added here first.
 */
export const errorCodes = {
  wit_missing: { status: 400, title: 'Workload identity token missing' },
  wit_malformed: { status: 400, title: 'Workload identity token malformed' },
  wit_invalid: { status: 400, title: 'Workload identity token invalid' },
  wit_expired: { status: 400, title: 'Workload identity token expired' },
  /** The workload's WITs issued before a configured time are revoked (`notIssuedBefore`, threat U2). */
  wit_revoked: { status: 400, title: 'Workload identity token revoked' },
  untrusted_issuer: { status: 400, title: 'Workload identity token issuer not trusted' },
  identifier_invalid: { status: 400, title: 'Workload identifier invalid' },
  signature_missing: { status: 400, title: 'HTTP message signature missing' },
  signature_malformed: { status: 400, title: 'HTTP message signature malformed' },
  signature_invalid: { status: 400, title: 'HTTP message signature invalid' },
  signature_expired: { status: 400, title: 'HTTP message signature outside its validity window' },
  signature_profile: { status: 400, title: 'HTTP message signature does not meet the WIMSE profile' },
  audience_mismatch: { status: 400, title: 'Signature audience does not name this service' },
  digest_missing: { status: 400, title: 'Content-Digest missing' },
  digest_mismatch: { status: 400, title: 'Content-Digest does not match the body' },
  body_too_large: { status: 413, title: 'Request body too large' },
  /** A server-side configuration fault: the adapter could not hand the raw body to the verifier. */
  body_unavailable: { status: 500, title: 'Request body not available to the verifier' },
  replay: { status: 400, title: 'Replayed request' },
  /** The body did not arrive within the adapter's `bodyTimeoutMs`; the connection is closed. */
  body_timeout: { status: 408, title: 'Request body not received in time' },
  /**
   * The client closed the connection before its body was complete. No response can be written;
   * audited with decision `aborted`, never as a dependency failure (`unavailable`).
   */
  client_aborted: { status: 400, title: 'Request aborted by the client' },
  /** Caller side: a signed response came from another workload than the one expected (R6). */
  unexpected_responder: { status: 502, title: 'Response signed by an unexpected workload' },
  /** The caller required a signed response (`wimse-sign-response`) that this service cannot produce. */
  response_signing_unavailable: { status: 501, title: 'A signed response cannot be produced' },
  /** Workload Proof Token (draft-ietf-wimse-wpt-02): refusals are 401 with `WWW-Authenticate: WPT`. */
  wpt_malformed: { status: 401, title: 'Workload proof token malformed' },
  wpt_invalid: { status: 401, title: 'Workload proof token invalid' },
  wpt_expired: { status: 401, title: 'Workload proof token expired' },
  wpt_audience_mismatch: { status: 401, title: 'Workload proof token audience does not name this service' },
  wpt_binding_mismatch: { status: 401, title: 'Workload proof token does not bind the presented tokens' },
  wpt_replay: { status: 401, title: 'Replayed workload proof token' },
  /** A WPT request that also presents another Authorization scheme (a bearer token) or a WIMSE HTTP signature. */
  wpt_conflict: { status: 401, title: 'Workload proof token presented with another credential' },
  /** Mutual TLS: the route needs a Workload Identity Certificate and none was presented. */
  certificate_missing: { status: 400, title: 'Client certificate missing' },
  /** Mutual TLS: unreadable, expired, not yet valid, not a client leaf, or not one URI SAN. */
  certificate_invalid: { status: 400, title: 'Client certificate invalid' },
  /** Mutual TLS: no chain to a CA of the identifier's trust domain, or forwarded by an untrusted hop. */
  certificate_untrusted: { status: 400, title: 'Client certificate not trusted' },
  /** A WIC and a WIT on one request name different workloads. */
  identity_mismatch: { status: 400, title: 'Credentials name different workloads' },
  /**
   * Credentials sent over plain HTTP by a peer that is not a declared trusted hop (threat O3):
   * refused before they are verified. `plainHttpFrom` declares the hops.
   */
  transport_insecure: { status: 400, title: 'Credentials sent over an insecure transport' },
  /** Transaction Tokens (draft-ietf-oauth-transaction-tokens): the route requires one and none came. */
  txn_token_missing: { status: 400, title: 'Transaction token missing' },
  /** Not one compact JWT, oversized, undecodable, or without the claims a Txn-Token must carry. */
  txn_token_malformed: { status: 400, title: 'Transaction token malformed' },
  /** More than one `Txn-Token` field line (or a comma-joined pair). */
  txn_token_duplicated: { status: 400, title: 'More than one transaction token' },
  /** `typ` not `txntoken+jwt`, an algorithm not allowed, or a signature that does not verify. */
  txn_token_invalid: { status: 400, title: 'Transaction token invalid' },
  /** No key of the Transaction Token Service matches the token's `kid`. */
  txn_token_unknown_key: { status: 400, title: 'Transaction token signed by an unknown key' },
  /** `aud` is not this service's trust domain. */
  txn_token_audience_mismatch: { status: 400, title: 'Transaction token audience is not this trust domain' },
  /** `exp` passed (beyond the clock tolerance), or `iat` in the future. */
  txn_token_expired: { status: 400, title: 'Transaction token expired' },
  /** `exp - iat` longer than the configured maximum. */
  txn_token_lifetime: { status: 400, title: 'Transaction token lifetime too long' },
  /** The `txn` was seen before (only when the replay check is turned on). */
  txn_token_replay: { status: 400, title: 'Transaction token replayed' },
  /** A Txn-Token from a caller whose proof cannot bind it (mTLS alone, a bearer token). */
  txn_token_unbound: { status: 400, title: 'Transaction token not bound to the caller proof' },
  policy_denied: { status: 403, title: 'Denied by policy' },
  /** Bearer migration (RFC 6750): an `Authorization: Bearer` field that is not one well-formed token. */
  bearer_malformed: { status: 400, title: 'Bearer token malformed' },
  bearer_invalid: { status: 401, title: 'Bearer token invalid' },
  bearer_expired: { status: 401, title: 'Bearer token expired' },
  /** A WIT (`typ: wit+jwt`) sent as a bearer token: a WIT is never a bearer credential (M3). */
  wit_as_bearer: { status: 401, title: 'A workload identity token is not a bearer token' },
  /** A valid bearer token from a caller (or on a route) whose migration mode requires a WIT. */
  bearer_not_accepted: { status: 401, title: 'Bearer tokens are not accepted for this caller' },
  /** The caller has already proven possession with a WIT: its bearer tokens are refused (M2). */
  bearer_ratcheted: { status: 401, title: 'Caller has moved to workload identity tokens' },
  /** The caller's bearer sunset date has passed (M5). */
  bearer_sunset: { status: 401, title: 'Bearer tokens are no longer accepted' },
  /** Dual send: the bearer token names another workload than the WIT (M4). */
  bearer_subject_mismatch: { status: 401, title: 'Bearer token and workload identity token disagree' },
  /** No credentials on a route that accepts bearer tokens; WWW-Authenticate names what is accepted. */
  credentials_missing: { status: 401, title: 'Credentials missing' },
  /** WIMSE credentials on a route (or from a caller) that accepts bearer tokens only. */
  wimse_not_accepted: { status: 401, title: 'Workload identity credentials are not accepted here' },
  unavailable: { status: 503, title: 'Verification dependency unavailable' },
  /** An overload, not a replay: the in-memory replay store is full of nonces still inside their window. */
  replay_capacity: { status: 503, title: 'Replay store at capacity' },
} as const satisfies Record<string, { status: number; title: string }>;

export type WimseErrorCode = keyof typeof errorCodes;

/**
 * Base of the `type` URI of every problem document: the error-code table of the @wimse-pep/core
 * README as published on its npm page, documentation this project owns and ships with every
 * release (the fragment names the code, hyphenated: `#wit-invalid`). A deployment that documents
 * its errors elsewhere passes its own base to `toProblem({ typeBase })`.
 */
export const problemTypeBase = 'https://www.npmjs.com/package/@wimse-pep/core#';

/** The `type` URI of a code's problem documents. */
export function problemTypeFor(code: WimseErrorCode, base: string = problemTypeBase): string {
  return `${base}${code.replaceAll('_', '-')}`;
}
