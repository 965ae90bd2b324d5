import { LRUCache } from 'lru-cache';
import type { VerifiedWit } from '../wit/verify-wit.js';

/**
 * Verified WITs by their exact token string, kept until the WIT's `exp` (plus tolerance), and no
 * longer than the issuer key set that verified them (threat O8): on every hit the key set must
 * still be fresh (a remote set past its maximum age is fetched again, and a set that cannot be
 * fetched is a 503) and of the same generation; after any refetch the WIT is verified again, so a
 * key withdrawn from the set withdraws the WITs it signed. The promise is cached so that concurrent
 * requests with the same new token verify it once; a rejected verification is never cached.
 */
export class WitCache {
  readonly #entries: LRUCache<string, Promise<VerifiedWit>> | undefined;
  readonly #now: () => number;

  constructor(size: number, now: () => number) {
    this.#now = now;
    this.#entries = size === 0 ? undefined : new LRUCache({ max: size, perf: { now } });
  }

  /** Whether `token` is cached (verified, or being verified); its recency is left as it is. */
  has(token: string): boolean {
    return this.#entries?.has(token) ?? false;
  }

  async get(token: string, verify: () => Promise<VerifiedWit>, toleranceSec: number): Promise<VerifiedWit> {
    const cached = this.#entries?.get(token);
    if (cached) {
      const wit = await cached;
      if ((await wit.issuer.keys.generation()) === wit.keyGeneration) return wit;
      if (this.#entries?.get(token) === cached) this.#entries.delete(token);
    }
    const pending = verify();
    this.#entries?.set(token, pending, { ttl: 10_000 });
    try {
      const wit = await pending;
      const ttl = (wit.expiresAt + toleranceSec) * 1000 - this.#now();
      if (ttl > 0) this.#entries?.set(token, pending, { ttl });
      else this.#entries?.delete(token);
      return wit;
    } catch (error) {
      if (this.#entries?.get(token) === pending) this.#entries.delete(token);
      throw error;
    }
  }
}
