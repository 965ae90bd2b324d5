import { LRUCache } from 'lru-cache';
import type { ReplayStore } from './replay-store.js';

export interface MemoryReplayStoreOptions {
  /** Most nonces kept at once (default 100 000). */
  readonly max?: number;
  /** The clock, in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * A bounded in-memory replay store on lru-cache. When it is full, the least recently used nonce
 * is evicted and the eviction horizon moves to that nonce's signature `created` time: from then
 * on a signature created at or before the horizon is refused as a possible replay, because its
 * nonce might have been among those forgotten (threat S12). Live traffic, whose `created` is
 * recent, keeps flowing; only old signatures are refused. Single process only.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #now: () => number;
  readonly #entries: LRUCache<string, { createdAtMs: number; expiresAtMs: number }>;
  #evictionHorizonMs = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryReplayStoreOptions = {}) {
    const max = options.max ?? 100_000;
    if (!Number.isInteger(max) || max < 1) throw new TypeError('MemoryReplayStore max must be a positive integer');
    this.#now = options.now ?? Date.now;
    this.#entries = new LRUCache<string, { createdAtMs: number; expiresAtMs: number }>({
      max,
      ttlAutopurge: false,
      perf: { now: () => this.#now() },
      dispose: (entry, _nonce, reason) => {
        // Only a nonce still inside its window can be replayed, so only its eviction matters.
        if (reason === 'evict' && entry.expiresAtMs > this.#now()) {
          this.#evictionHorizonMs = Math.max(this.#evictionHorizonMs, entry.createdAtMs);
        }
      },
    });
  }

  /** Signatures created at or before this instant are refused: their nonce may have been evicted. */
  get evictionHorizonMs(): number {
    return this.#evictionHorizonMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  async addIfAbsent(nonce: string, expiresAtMs: number, createdAtMs: number): Promise<boolean> {
    if (createdAtMs <= this.#evictionHorizonMs) return false;
    if (this.#entries.get(nonce) !== undefined) return false;
    const ttl = Math.max(1, Math.ceil(expiresAtMs - this.#now()));
    this.#entries.set(nonce, { createdAtMs, expiresAtMs }, { ttl });
    return true;
  }
}
