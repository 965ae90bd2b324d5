import { hash } from 'node:crypto';
import { WimseError } from '../errors/wimse-error.js';
import type { ReplayStore } from './replay-store.js';

export interface MemoryReplayStoreOptions {
  /**
   * Most live nonces kept at once (default 1 000 000, about 8 000 requests per second at the
   * default 60 s signature lifetime and 60 s clock tolerance). Size it as peak requests per second
   * x (signature lifetime + clock tolerance), see the README.
   */
  readonly max?: number;
  /** Width of one expiry bucket, in ms (default 1000): a nonce is kept at most this much longer. */
  readonly bucketMs?: number;
  /** The clock, in epoch milliseconds, when the caller passes none (the verifier passes its own). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * The default replay store, for one process. A nonce is kept until its `expiresAtMs` (the verifier
 * passes `expires` plus the clock tolerance), rounded up to the end of a time bucket; whole
 * buckets are dropped once they have passed, so forgetting costs O(1) amortized per nonce and
 * capacity is only ever taken by nonces that can still be replayed.
 *
 * A live nonce is never evicted: when the store is full of live nonces it refuses new ones with
 * `replay_capacity` (503 with Retry-After, an overload), never `replay` for a nonce it never saw
 * (threat S12). Keys are SHA-256 digests, so memory per nonce is fixed whatever the nonce's length.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #now: () => number;
  readonly #max: number;
  readonly #bucketMs: number;
  /** Every live nonce digest. */
  readonly #live = new Set<string>();
  /** Bucket number (end time / bucketMs) to the digests that expire in it. */
  readonly #buckets = new Map<number, string[]>();
  /** Bucket numbers in a binary min-heap, so the oldest bucket is found in O(1). */
  readonly #order: number[] = [];

  constructor(options: MemoryReplayStoreOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('MemoryReplayStore options must be an object');
    this.#max = positiveInteger(options.max, 1_000_000, 'max');
    this.#bucketMs = positiveInteger(options.bucketMs, 1000, 'bucketMs');
    const now = options.now ?? Date.now;
    if (typeof now !== 'function') throw new TypeError('MemoryReplayStore now must be a function');
    this.#now = now;
  }

  /** How many nonces are remembered (live ones, plus those of at most one bucket past). */
  get size(): number {
    return this.#live.size;
  }

  /** The most live nonces this store holds. */
  get capacity(): number {
    return this.#max;
  }

  async addIfAbsent(
    nonce: string,
    expiresAtMs: number,
    createdAtMs?: number,
    verifierNowMs?: number,
  ): Promise<boolean> {
    return this.addIfAbsentSync(nonce, expiresAtMs, createdAtMs, verifierNowMs);
  }

  addIfAbsentSync(nonce: string, expiresAtMs: number, _createdAtMs?: number, verifierNowMs?: number): boolean {
    const nowMs = verifierNowMs ?? this.#now();
    this.#dropExpired(nowMs);
    // One-shot hash: no Hash object per nonce (a third of createHash's cost).
    const key = hash('sha256', nonce, 'binary');
    if (this.#live.has(key)) return false;
    if (this.#live.size >= this.#max) {
      const oldest = this.#order[0];
      const waitSec = oldest === undefined ? 1 : Math.max(1, Math.ceil((oldest * this.#bucketMs - nowMs) / 1000));
      throw new WimseError('replay_capacity', `the replay store holds ${this.#max} live nonces`, {
        headers: { 'retry-after': String(waitSec) },
      });
    }
    const bucket = Math.max(Math.ceil(expiresAtMs / this.#bucketMs), Math.floor(nowMs / this.#bucketMs) + 1);
    let keys = this.#buckets.get(bucket);
    if (keys === undefined) {
      keys = [];
      this.#buckets.set(bucket, keys);
      heapPush(this.#order, bucket);
    }
    keys.push(key);
    this.#live.add(key);
    return true;
  }

  #dropExpired(nowMs: number): void {
    for (
      let oldest = this.#order[0];
      oldest !== undefined && oldest * this.#bucketMs <= nowMs;
      oldest = this.#order[0]
    ) {
      heapPop(this.#order);
      for (const key of this.#buckets.get(oldest) ?? []) this.#live.delete(key);
      this.#buckets.delete(oldest);
    }
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new TypeError(`MemoryReplayStore ${name} must be a positive integer`);
  return value;
}

function heapPush(heap: number[], value: number): void {
  heap.push(value);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const above = heap[parent] as number;
    if (above <= value) break;
    heap[i] = above;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && (heap[right] as number) < (heap[left] as number) ? right : left;
    if ((heap[child] as number) >= last) break;
    heap[i] = heap[child] as number;
    i = child;
  }
  heap[i] = last;
}
