/**
 * Remembers nonces until their signature can no longer be accepted. Asynchronous so that a shared
 * store (Redis `SET NX PX`) can implement it for a cluster.
 *
 * The verifier passes a replay key, not the bare nonce: the kind of proof's tag then its value
 * (`sig:<nonce>` for an HTTP signature, `wpt:<digest of sender and jti>` for a WPT), so keys of
 * different kinds never collide. A store treats the key as an opaque string.
 */
export interface ReplayStore {
  /**
   * Atomically records `key` until `expiresAtMs` (epoch milliseconds) if it is not already
   * recorded. Resolves `true` when it was recorded now, `false` when it was already there (a
   * replay). Rejects when the store cannot answer; the verifier then refuses the request with 503
   * (a rejection with a 503 WimseError, `unavailable` or `replay_capacity`, is passed on as it is,
   * headers included). The verifier also stops waiting after `replayStoreTimeoutMs` (503).
   * `createdAtMs` is the signature's `created`, for stores that must bound what they accept.
   * `nowMs` is the verifier's clock at the call, so that a shared store computes its TTL from the
   * verifier's time and never from its own. `callerId` is the authenticated workload identifier
   * of the sender (its WIT verified, its proof of possession checked), for stores that share
   * their capacity out per caller; a store may ignore it (stores written before it was passed do).
   */
  addIfAbsent(
    key: string,
    expiresAtMs: number,
    createdAtMs: number,
    nowMs?: number,
    callerId?: string,
  ): Promise<boolean>;
  /**
   * Optional: the same, answered synchronously (returns the boolean, throws where `addIfAbsent`
   * rejects), for a store inside this process. When present the verifier calls it instead, and
   * needs no timer to bound the answer: this is the memory store's hot path.
   */
  addIfAbsentSync?(key: string, expiresAtMs: number, createdAtMs: number, nowMs?: number, callerId?: string): boolean;
}
