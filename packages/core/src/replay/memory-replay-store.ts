import { WimseError } from '../base/errors/wimse-error.js';
import { boundedInteger, expectFunction, expectObject, positiveInteger } from '../base/options/option-checks.js';
import { sha256Binary } from '../base/runtime/hash.js';
import { CallerShares, NEW_ACCOUNT, OVERFLOW_ACCOUNT } from './caller-shares.js';
import { NonceTable } from './nonce-table.js';
import type { ReplayStore } from './replay-store.js';

const WHERE = 'MemoryReplayStore';

/** Bounds of the in-memory replay store (one process; share a store across replicas). */
export interface MemoryReplayStoreOptions {
  /**
   * Most live nonces kept at once (default 1 000 000, about 8 000 requests per second at the
   * default 60 s signature lifetime and 60 s clock tolerance). Size it as peak requests per second
   * x (signature lifetime + clock tolerance), see the README.
   */
  readonly max?: number;
  /**
   * Most live nonces one caller may hold (default: half of `max`, rounded up; at most `max`). A
   * caller is the authenticated workload id the verifier passes with each nonce; over its share,
   * that caller's fresh nonces are refused with `replay_capacity` while other callers' are still
   * recorded. `max` turns the share off. Nonces recorded without a caller id count only against `max`.
   */
  readonly maxPerCaller?: number;
  /**
   * Most callers given a share of their own at once (default 10 000): a caller holds one while it
   * has live nonces. Callers that arrive while all are held share one more share among them.
   */
  readonly maxCallers?: number;
  /** Width of one expiry bucket, in ms (default 1000): a nonce is kept at most this much longer. */
  readonly bucketMs?: number;
  /** The clock, in epoch milliseconds, when the caller passes none (the verifier passes its own). Default `Date.now`. */
  readonly now?: () => number;
}

/** Slots of a new table (24 bytes each): small; the table grows with the live nonces, not with `max`. */
const INITIAL_SLOTS = 4096;

/**
 * The default replay store, for one process. A nonce is kept until its `expiresAtMs` (the verifier
 * passes `expires` plus the clock tolerance), rounded up to the end of a time bucket; whole
 * buckets are dropped once they have passed, so forgetting costs O(1) amortized per nonce and
 * capacity is only ever taken by nonces that can still be replayed.
 *
 * A live nonce is never evicted: when the store is full of live nonces it refuses new ones with
 * `replay_capacity` (503 with Retry-After, an overload), never `replay` for a nonce it never saw
 * (threat S12). Keys are SHA-256 digests, so memory per nonce is fixed whatever the key's length.
 *
 * No caller can take the capacity from the others: a caller (the authenticated workload id passed
 * with each key) may hold at most `maxPerCaller` live nonces; over it, its fresh nonces are refused
 * with `replay_capacity` too, while other callers' are recorded (see `CallerShares` in replay/caller-shares.ts). Its
 * replays are still replays: a live key is looked up before any share is checked.
 *
 * How it is kept (off the JavaScript heap, so that live nonces cost the garbage collector nothing):
 * - Nonces live in a `NonceTable`, an open-addressing table in one ArrayBuffer, keyed by the
 *   first 128 bits of the nonce's SHA-256 digest. Truncation is safe: a fresh nonce is taken for
 *   a replay only if its 128 bits equal a live nonce's: by chance about n^2 / 2^129 for n live
 *   nonces (2^-89 at a million); on purpose, against another client's random and unseen nonce, a
 *   second preimage (2^128 work). A client can at most make its own two nonces collide (2^64
 *   work), which only gets its own second request refused.
 * - Each slot holds its expiry bucket. The store keeps `passed`, the latest bucket the clock has
 *   ever gone past; a slot at or before it is expired and is taken over by the next insert whose
 *   probe meets it (the probe still goes on to the chain's end, so a live duplicate is found).
 * - Per bucket, only a count of its nonces (and a min-heap of bucket numbers): dropping a whole
 *   bucket is O(1) and keeps `size`, the capacity check and Retry-After exact for live nonces.
 * - `passed` never goes back: if the clock does, nonces already stored keep their buckets, and a
 *   new nonce is kept until at least the end of the bucket after `passed` (longer than asked,
 *   never shorter), so no live nonce is forgotten and every counted nonce has a live slot.
 * - The table starts at 4096 slots (96 KiB). Once more than 3/4 of its slots were ever written,
 *   it is rebuilt with only the live nonces, at twice their number of slots: it grows by 1.5x
 *   while filling and shrinks at the first rebuild after a peak, so its memory follows the live
 *   nonces, not `max` (24 bytes a slot, 1.33 to 2 slots per live nonce: 2 under a steady load,
 *   48 MiB at a million; a rebuild that resizes briefly holds the old table too).
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #now: () => number;
  readonly #max: number;
  readonly #maxPerCaller: number;
  readonly #bucketMs: number;
  readonly #shares: CallerShares;
  readonly #table = new NonceTable(INITIAL_SLOTS);
  /** The latest bucket the clock has gone past: its nonces and all before are forgotten. */
  #passed = Number.NEGATIVE_INFINITY;
  /** Nonces in buckets after `#passed`. */
  #size = 0;
  /** Bucket number (end time / bucketMs) to how many nonces expire in it. */
  readonly #counts = new Map<number, { count: number }>();
  /** The bucket of the last insert and its count: the next insert is most likely in it too. */
  #lastBucket = Number.NaN;
  #lastCount = { count: 0 };
  /** Bucket numbers in a binary min-heap, so the oldest bucket is found in O(1). */
  readonly #order: number[] = [];

  constructor(options: MemoryReplayStoreOptions = {}) {
    expectObject(options, `${WHERE}: options`, 'an object like { max, maxPerCaller }');
    this.#max = positiveInteger(options.max, 1_000_000, `${WHERE}: max`);
    this.#maxPerCaller = boundedInteger(
      options.maxPerCaller,
      Math.ceil(this.#max / 2),
      1,
      this.#max,
      `${WHERE}: maxPerCaller`,
    );
    this.#shares = new CallerShares(boundedInteger(options.maxCallers, 10_000, 1, 2 ** 24, `${WHERE}: maxCallers`));
    this.#bucketMs = positiveInteger(options.bucketMs, 1000, `${WHERE}: bucketMs`);
    this.#now = expectFunction(options.now ?? Date.now, `${WHERE}: now`, 'a function returning milliseconds');
  }

  /** How many nonces are remembered (live ones, plus those of at most one bucket past). */
  get size(): number {
    return this.#size;
  }

  /** The most live nonces this store holds. */
  get capacity(): number {
    return this.#max;
  }

  /** The most live nonces one caller may hold. */
  get maxPerCaller(): number {
    return this.#maxPerCaller;
  }

  /** Callers holding a share of their own now (those with live nonces, at most `maxCallers`). */
  get callers(): number {
    return this.#shares.callers;
  }

  async addIfAbsent(
    key: string,
    expiresAtMs: number,
    createdAtMs?: number,
    verifierNowMs?: number,
    callerId?: string,
  ): Promise<boolean> {
    return this.addIfAbsentSync(key, expiresAtMs, createdAtMs, verifierNowMs, callerId);
  }

  addIfAbsentSync(
    key: string,
    expiresAtMs: number,
    _createdAtMs?: number,
    verifierNowMs?: number,
    callerId?: string,
  ): boolean {
    const nowMs = verifierNowMs ?? this.#now();
    // A clock or expiry that is not a number would file the nonce nowhere: refuse (503), never forget it.
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs))
      throw new TypeError('MemoryReplayStore needs a finite clock reading');
    if (typeof expiresAtMs !== 'number' || Number.isNaN(expiresAtMs))
      throw new TypeError('MemoryReplayStore expiresAtMs must be a number');
    if (callerId !== undefined && typeof callerId !== 'string')
      throw new TypeError('MemoryReplayStore callerId must be a string');
    const current = Math.floor(nowMs / this.#bucketMs);
    if (current > this.#passed) this.#pass(current);
    // One-shot hash to a latin1 ('binary') string: no Hash object, no Buffer per nonce (a Buffer costs 3x).
    const digest = sha256Binary(key);
    const k0 = word(digest, 0);
    const k1 = word(digest, 4);
    const k2 = word(digest, 8);
    const k3 = word(digest, 12);
    const slot = this.#table.find(k0, k1, k2, k3, this.#passed);
    if (slot < 0) return false;
    const account = callerId === undefined ? NEW_ACCOUNT : this.#shares.accountOf(callerId);
    if (this.#shares.held(account) >= this.#maxPerCaller) {
      const whose = account === OVERFLOW_ACCOUNT ? 'the callers beyond maxCallers hold their' : 'this caller holds its';
      throw this.#refusal(`${whose} share of the replay store (${this.#maxPerCaller} live nonces)`, nowMs);
    }
    if (this.#size >= this.#max) throw this.#refusal(`the replay store holds ${this.#max} live nonces`, nowMs);
    // `#passed + 1` is the bucket after now's (the old floor(now / bucketMs) + 1), or later if the clock went back.
    const bucket = Math.max(Math.ceil(expiresAtMs / this.#bucketMs), this.#passed + 1);
    if (bucket !== this.#lastBucket) {
      let counted = this.#counts.get(bucket);
      if (counted === undefined) {
        counted = { count: 0 };
        this.#counts.set(bucket, counted);
        heapPush(this.#order, bucket);
      }
      this.#lastBucket = bucket;
      this.#lastCount = counted;
    }
    this.#lastCount.count++;
    this.#size++;
    if (callerId !== undefined) this.#shares.charge(account, callerId, bucket);
    this.#table.put(slot, k0, k1, k2, k3, bucket, this.#passed);
    return true;
  }

  /** `replay_capacity`, with Retry-After: until the oldest bucket is dropped (some room frees then). */
  #refusal(message: string, nowMs: number): WimseError {
    const oldest = this.#order[0];
    const waitSec = oldest === undefined ? 1 : Math.max(1, Math.ceil((oldest * this.#bucketMs - nowMs) / 1000));
    return new WimseError('replay_capacity', message, { headers: { 'retry-after': String(waitSec) } });
  }

  /** The clock is in bucket `current`: every bucket up to it has passed; their nonces are forgotten. */
  #pass(current: number): void {
    this.#passed = current;
    for (let oldest = this.#order[0]; oldest !== undefined && oldest <= current; oldest = this.#order[0]) {
      heapPop(this.#order);
      this.#size -= this.#counts.get(oldest)?.count ?? 0;
      this.#counts.delete(oldest);
      this.#shares.release(oldest);
    }
    this.#lastBucket = Number.NaN;
  }
}

/** The little-endian Int32 at `offset` of a latin1 digest string. */
function word(digest: string, offset: number): number {
  return (
    digest.charCodeAt(offset) |
    (digest.charCodeAt(offset + 1) << 8) |
    (digest.charCodeAt(offset + 2) << 16) |
    (digest.charCodeAt(offset + 3) << 24)
  );
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
