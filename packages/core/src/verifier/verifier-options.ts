import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { MutualTlsOptions } from '../mtls/mtls-options.js';
import type { ProfileName } from '../profiles/profiles.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { TrustDomainOptions } from '../trust/trust-options.js';
import type { NotIssuedBeforeAnswer } from '../wit/check-not-issued-before.js';
import type { WptOptions } from '../wpt/wpt-options.js';

/** The audiences this service answers as: fixed origins, or a function of the request. */
export type AudienceOption = readonly string[] | ((request: WorkloadRequest) => readonly string[]);

/** Everything a verifier checks a request against, validated once by `createVerifier`: trust domains, audiences, profiles, lifetimes, the replay store, limits. */
export interface VerifierOptions {
  /** The trust domains whose workloads may call this service. At least one. */
  readonly trustDomains: readonly TrustDomainOptions[];
  /**
   * The origins this service answers as (e.g. `https://orders.internal.example`); a signature's
   * `wimse-aud` must equal one of them followed by the request path. Never derived from `Host`.
   * Required by every profile that carries `wimse-aud`.
   */
  readonly audiences?: AudienceOption;
  /** Signature profile; default `http-sig-07`. */
  readonly profile?: ProfileName;
  /** Allowed clock skew, in seconds, for WIT and signature times (default 60, at most 300). */
  readonly clockToleranceSec?: number;
  /**
   * Longest accepted `expires - created`, in seconds (default 360: the drafts ask for "minutes",
   * and the published -07 examples are signed for 300 to 304 s).
   */
  readonly maxSignatureLifetimeSec?: number;
  /**
   * Longest accepted WIT lifetime, `exp - iat` (or `exp - now` without `iat`), in seconds; a longer
   * one is refused as `wit_invalid` (workload-creds: unreasonably long lifetimes SHOULD be rejected).
   * Default 86 400 (one day).
   */
  readonly maxWitLifetimeSec?: number;
  /**
   * Revocation by time, per workload (threat U2): returns the time (seconds since the epoch, or a
   * Date) before which WITs of `workloadId` must not have been issued, or undefined for none. A WIT
   * whose `iat` is earlier (or that has no `iat`) is refused as `wit_revoked`, also when it was
   * verified and cached before. Called on every verification; bounded by
   * `notIssuedBeforeTimeoutMs`, and a throw or a timeout is `unavailable` (503, fail closed).
   */
  readonly notIssuedBefore?: (workloadId: string) => NotIssuedBeforeAnswer | Promise<NotIssuedBeforeAnswer>;
  /** Time limit of one `notIssuedBefore` call, in ms (default 1 000). */
  readonly notIssuedBeforeTimeoutMs?: number;
  /** Largest accepted `Workload-Identity-Token` value, in bytes (default 8192). */
  readonly maxWitBytes?: number;
  /**
   * Where nonces are remembered; default an in-memory store of 1 000 000 live nonces (one process
   * only: replicas need a shared store such as `@wimse-pep/redis`).
   */
  readonly replayStore?: ReplayStore;
  /**
   * Longest wait for one replay store call, in ms (default 1000, 1 to 60 000): a store that has
   * not answered by then is a 503 `unavailable`, whatever store it is.
   */
  readonly replayStoreTimeoutMs?: number;
  /** How many verified WITs to keep (by exact token) until their `exp`; 0 disables. Default 1000. */
  readonly witCacheSize?: number;
  /** Client certificates: trusted proxies for forwarded certificates (anchors are per trust domain). */
  readonly mtls?: MutualTlsOptions;
  /** The clock, in milliseconds since the epoch; for tests. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Where the request's signature is checked: `thread-pool` (default: libuv's pool, off the event
   * loop; measured best under concurrent load) or `inline` on the event loop (less CPU per request
   * one at a time, no hop; see bench/results/verify-request.md).
   */
  readonly signatureVerification?: 'inline' | 'thread-pool';
  /**
   * Workload Proof Tokens (draft-ietf-wimse-wpt-02), accepted next to HTTP signatures: a request
   * with `Authorization: WPT` takes the WPT pipeline. `false` refuses WPT requests as lacking an
   * HTTP signature. Default: accepted, `wpt-02` profile.
   */
  readonly wpt?: WptOptions | false;
}
