import { LRUCache } from 'lru-cache';
import type { VerifiedWit } from '../wit/verify-wit.js';

/**
 * Verified WITs by their exact token string, kept until the WIT's `exp` (plus tolerance). The
 * promise is cached so that concurrent requests with the same new token verify it once; a
 * rejected verification is never cached.
 */
export class WitCache {
  readonly #entries: LRUCache<string, Promise<VerifiedWit>> | undefined;
  readonly #now: () => number;

  constructor(size: number, now: () => number) {
    this.#now = now;
    this.#entries = size === 0 ? undefined : new LRUCache({ max: size, perf: { now } });
  }

  async get(token: string, verify: () => Promise<VerifiedWit>, toleranceSec: number): Promise<VerifiedWit> {
    const cached = this.#entries?.get(token);
    if (cached) return cached;
    const pending = verify();
    this.#entries?.set(token, pending, { ttl: 10_000 });
    try {
      const wit = await pending;
      const ttl = (wit.expiresAt + toleranceSec) * 1000 - this.#now();
      if (ttl > 0) this.#entries?.set(token, pending, { ttl });
      else this.#entries?.delete(token);
      return wit;
    } catch (error) {
      this.#entries?.delete(token);
      throw error;
    }
  }
}
