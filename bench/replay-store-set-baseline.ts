import { hash } from 'node:crypto';
import { type ReplayStore, WimseError } from '@wimse-pep/core';

/**
 * For comparison only: MemoryReplayStore as it was before its nonces moved off the JavaScript heap
 * (commit 624d1ca), run by bench/replay-store-memory.ts next to the current store. Every live
 * nonce is a 32-char latin1 string digest held in a Set and in its expiry bucket's array; buckets
 * are dropped whole, found through a min-heap of bucket numbers.
 */
export class SetReplayStore implements ReplayStore {
  readonly #now: () => number;
  readonly #max: number;
  readonly #bucketMs: number;
  /** Every live nonce digest. */
  readonly #live = new Set<string>();
  /** Bucket number (end time / bucketMs) to the digests that expire in it. */
  readonly #buckets = new Map<number, string[]>();
  /** Bucket numbers in a binary min-heap, so the oldest bucket is found in O(1). */
  readonly #order: number[] = [];

  constructor(options: { readonly max?: number; readonly bucketMs?: number; readonly now?: () => number } = {}) {
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
