import { LRUCache } from 'lru-cache';
import type { VerifiedWit } from '../wit/verify-wit.js';

/** A cached verification: its promise (shared by concurrent requests), and its WIT once verified. */
interface CacheEntry {
  readonly pending: Promise<VerifiedWit>;
  verified?: VerifiedWit;
}

/**
 * Verified WITs by their exact token string, kept until the WIT's `exp` (plus tolerance), and no
 * longer than the issuer key set that verified them (threat O8): on every hit the key set must
 * still be fresh (a remote set past its maximum age is fetched again, and a set that cannot be
 * fetched is a 503) and of the same generation; after any refetch the WIT is verified again, so a
 * key withdrawn from the set withdraws the WITs it signed. The promise is cached so that concurrent
 * requests with the same new token verify it once; a rejected verification is never cached.
 */
export class WitCache {
  readonly #entries: LRUCache<string, CacheEntry> | undefined;
  readonly #now: () => number;

  constructor(size: number, now: () => number) {
    this.#now = now;
    this.#entries = size === 0 ? undefined : new LRUCache({ max: size, perf: { now } });
  }

  /** Whether `token` is cached (verified, or being verified); its recency is left as it is. */
  has(token: string): boolean {
    return this.#entries?.has(token) ?? false;
  }

  /**
   * The verified WIT of `token`: at once (no promise) when it is cached and its key set is fresh
   * and of the same generation, the warm path of every request; otherwise through `verify`.
   */
  get(token: string, verify: () => Promise<VerifiedWit>, toleranceSec: number): VerifiedWit | Promise<VerifiedWit> {
    const wit = this.#entries?.get(token)?.verified;
    if (wit !== undefined) {
      const generation = wit.issuer.keys.generation();
      if (generation === wit.keyGeneration) return wit;
      // The set is being fetched again: wait for it (its failure is this request's 503), then look again.
      if (typeof generation !== 'number') return generation.then(() => this.#getOrVerify(token, verify, toleranceSec));
    }
    return this.#getOrVerify(token, verify, toleranceSec);
  }

  async #getOrVerify(token: string, verify: () => Promise<VerifiedWit>, toleranceSec: number): Promise<VerifiedWit> {
    const cached = this.#entries?.get(token);
    if (cached) {
      const wit = await cached.pending;
      if ((await wit.issuer.keys.generation()) === wit.keyGeneration) return wit;
      if (this.#entries?.get(token) === cached) this.#entries.delete(token);
    }
    const entry: CacheEntry = { pending: verify() };
    this.#entries?.set(token, entry, { ttl: 10_000 });
    try {
      const wit = await entry.pending;
      const ttl = (wit.expiresAt + toleranceSec) * 1000 - this.#now();
      if (ttl > 0) {
        entry.verified = wit;
        this.#entries?.set(token, entry, { ttl });
      } else this.#entries?.delete(token);
      return wit;
    } catch (error) {
      if (this.#entries?.get(token) === entry) this.#entries.delete(token);
      throw error;
    }
  }
}
