import { LRUCache } from 'lru-cache';
import type { VerifiedWit } from '../wit/verify-wit.js';

/**
 * Verified WITs by their exact token string, kept until the WIT's `exp` (plus tolerance), and no
 * longer than the issuer key set that verified them (threat O8): on every hit the key set must
 * still be fresh (a remote set past its maximum age is fetched again, and a set that cannot be
 * fetched is a 503) and of the same generation; after any refetch the WIT is verified again, so a
 * key withdrawn from the set withdraws the WITs it signed.
 *
 * Only verified WITs enter the LRU: a token being verified waits in a separate in-flight map (so
 * concurrent requests with the same new token verify it once), which it leaves when settled. A
 * flood of tokens that fail can therefore never evict the WITs of callers that are verified.
 */
export class WitCache {
  readonly #verified: LRUCache<string, VerifiedWit> | undefined;
  readonly #inFlight = new Map<string, Promise<VerifiedWit>>();
  readonly #now: () => number;

  constructor(size: number, now: () => number) {
    this.#now = now;
    this.#verified = size === 0 ? undefined : new LRUCache({ max: size, perf: { now } });
  }

  /** Whether `token` is cached or being verified; its recency is left as it is. */
  has(token: string): boolean {
    return (this.#verified?.has(token) ?? false) || this.#inFlight.has(token);
  }

  /**
   * The verified WIT of `token`: at once (no promise) when it is cached and its key set is fresh
   * and of the same generation, the warm path of every request; otherwise through `verify`.
   */
  get(token: string, verify: () => Promise<VerifiedWit>, toleranceSec: number): VerifiedWit | Promise<VerifiedWit> {
    const wit = this.#verified?.get(token);
    if (wit === undefined) return this.#verifyOnce(token, verify, toleranceSec);
    const generation = wit.issuer.keys.generation();
    if (generation === wit.keyGeneration) return wit;
    // The set is being fetched again: wait for it (its failure is this request's 503), then decide.
    if (typeof generation !== 'number') {
      return generation.then((current) =>
        current === wit.keyGeneration ? wit : this.#verifyAgain(token, wit, verify, toleranceSec),
      );
    }
    return this.#verifyAgain(token, wit, verify, toleranceSec);
  }

  /** The key set changed since `wit` was verified: forget it and verify the token again. */
  #verifyAgain(
    token: string,
    wit: VerifiedWit,
    verify: () => Promise<VerifiedWit>,
    toleranceSec: number,
  ): Promise<VerifiedWit> {
    if (this.#verified?.get(token) === wit) this.#verified.delete(token);
    return this.#verifyOnce(token, verify, toleranceSec);
  }

  #verifyOnce(token: string, verify: () => Promise<VerifiedWit>, toleranceSec: number): Promise<VerifiedWit> {
    if (this.#verified === undefined) return verify();
    const pending = this.#inFlight.get(token);
    if (pending !== undefined) return pending;
    const verifying = verify().then(
      (wit) => {
        this.#inFlight.delete(token);
        const ttl = (wit.expiresAt + toleranceSec) * 1000 - this.#now();
        if (ttl > 0) this.#verified?.set(token, wit, { ttl });
        return wit;
      },
      (error: unknown) => {
        this.#inFlight.delete(token);
        throw error;
      },
    );
    this.#inFlight.set(token, verifying);
    return verifying;
  }
}
