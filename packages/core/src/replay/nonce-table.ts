import { randomInt32 } from '../base/runtime/random.js';

/** Slot marker of a slot never written since the table was (re)built: ends every probe. */
const EMPTY = Number.NEGATIVE_INFINITY;
/** Int32 words per slot: 4 for the 128-bit key, 2 for the expiry bucket (a float64). */
const SLOT_WORDS = 6;
/** A rebuild is due once more than this share of the slots was ever written (expired ones included). */
const MAX_LOAD = 0.75;
/** A rebuild sizes the table so that live keys take this share of it (or less, at the smallest size). */
const REBUILD_LOAD = 0.5;
/** Table sizes are multiples of this many slots. */
const SIZE_STEP = 64;

/**
 * An open-addressing hash set of 128-bit keys, each with its expiry bucket, in one ArrayBuffer:
 * the V8 garbage collector neither scans nor copies a backing store, so a million keys cost it
 * nothing per collection. Slot `s` is 24 bytes: Int32 words 6s..6s+3 hold the key, Float64 3s+2
 * its bucket (EMPTY if never written). Linear probing from a seeded home slot.
 *
 * Nothing is ever deleted: a key whose bucket is at or before the caller's `passed` bucket is
 * expired, and its slot stays in every probe chain (so keys stored after it stay reachable) until
 * an insert takes it over or a rebuild leaves it out. Expired slots count as occupied, so a
 * rebuild comes once writes into empty slots pass MAX_LOAD (3/4); it keeps only live keys and
 * sizes the table to twice their number (no less than the initial size): 2 slots per live key
 * after a rebuild, 1.33 at the fullest while filling (the table grows by 1.5x at a time). After a
 * peak the table keeps its size until new keys bring the next rebuild, which shrinks it. Sizes
 * are not powers of two (they would waste up to half the table): the home slot is a 32-bit hash
 * scaled to the size (h * slots / 2^32, no modulo).
 */
export class NonceTable {
  readonly #minSlots: number;
  readonly #seed0: number;
  readonly #seed1: number;
  #slots = 0;
  #words = new Int32Array(0);
  #buckets = new Float64Array(0);
  #occupied = 0;
  #limit = 0;

  /**
   * `slots` is the initial (and smallest) size, at least 8. The seeds pick the home slots; random
   * by default, so that nobody outside the process can choose nonces that pile up on one probe
   * chain (their digests are theirs to compute, the seeds are not).
   */
  constructor(slots: number, seed0 = randomInt32(), seed1 = randomInt32()) {
    if (!Number.isSafeInteger(slots) || slots < 8 || slots >= 2 ** 31)
      throw new RangeError('NonceTable slots must be an integer from 8 to 2^31 - 1');
    this.#minSlots = slots;
    this.#seed0 = seed0 | 0;
    this.#seed1 = seed1 | 0;
    this.#allocate(slots);
  }

  /** Slots in the table. */
  get slots(): number {
    return this.#slots;
  }

  /** Slots written since the last rebuild: live and expired keys. */
  get occupied(): number {
    return this.#occupied;
  }

  /** Bytes of the table's backing store (off the V8 heap). */
  get byteLength(): number {
    return this.#words.byteLength;
  }

  /**
   * Where the key `k0..k3` would go, or -1 if it is there and live (bucket > `passed`). The slot
   * returned is the first expired one on the key's probe chain, else the empty slot that ends it:
   * the probe goes on past expired slots until an empty slot or the key itself, so a live copy
   * further along is always found.
   */
  find(k0: number, k1: number, k2: number, k3: number, passed: number): number {
    const words = this.#words;
    const buckets = this.#buckets;
    const slots = this.#slots;
    let reusable = -1;
    for (let slot = homeSlot(k0, k1, this.#seed0, this.#seed1, slots); ; slot = slot + 1 === slots ? 0 : slot + 1) {
      const bucket = buckets[3 * slot + 2] as number;
      if (bucket === EMPTY) return reusable === -1 ? slot : reusable;
      const w = SLOT_WORDS * slot;
      if (words[w] === k0 && words[w + 1] === k1 && words[w + 2] === k2 && words[w + 3] === k3) {
        if (bucket > passed) return -1;
        return reusable === -1 ? slot : reusable;
      }
      if (reusable === -1 && bucket <= passed) reusable = slot;
    }
  }

  /**
   * Stores the key in `slot` (from `find`, with no other write in between) until `bucket`, then
   * rebuilds if the table is too full, leaving out keys whose bucket is at or before `passed`.
   */
  put(slot: number, k0: number, k1: number, k2: number, k3: number, bucket: number, passed: number): void {
    const words = this.#words;
    const at = 3 * slot + 2;
    if (this.#buckets[at] === EMPTY) this.#occupied++;
    const w = SLOT_WORDS * slot;
    words[w] = k0;
    words[w + 1] = k1;
    words[w + 2] = k2;
    words[w + 3] = k3;
    this.#buckets[at] = bucket;
    if (this.#occupied > this.#limit) this.#rebuild(passed);
  }

  /** Keys whose bucket is after `passed`: O(slots), for tests and checks. */
  countLive(passed: number): number {
    let live = 0;
    const buckets = this.#buckets;
    for (let at = 2; at < buckets.length; at += 3) if ((buckets[at] as number) > passed) live++;
    return live;
  }

  #allocate(slots: number): void {
    const buffer = new ArrayBuffer(slots * SLOT_WORDS * 4);
    this.#words = new Int32Array(buffer);
    this.#buckets = new Float64Array(buffer);
    for (let at = 2; at < this.#buckets.length; at += 3) this.#buckets[at] = EMPTY;
    this.#slots = slots;
    this.#occupied = 0;
    this.#limit = Math.floor(slots * MAX_LOAD);
  }

  #rebuild(passed: number): void {
    const live = this.countLive(passed);
    const slots = Math.max(this.#minSlots, Math.ceil(live / REBUILD_LOAD / SIZE_STEP) * SIZE_STEP);
    const words = this.#words;
    const buckets = this.#buckets;
    this.#allocate(slots);
    const newWords = this.#words;
    const newBuckets = this.#buckets;
    for (let old = 0; old * 3 < buckets.length; old++) {
      const bucket = buckets[3 * old + 2] as number;
      if (!(bucket > passed)) continue;
      const w = SLOT_WORDS * old;
      const k0 = words[w] as number;
      const k1 = words[w + 1] as number;
      // Every key kept is distinct and the new table has no expired slot: the first empty slot is its place.
      let slot = homeSlot(k0, k1, this.#seed0, this.#seed1, slots);
      while (newBuckets[3 * slot + 2] !== EMPTY) slot = slot + 1 === slots ? 0 : slot + 1;
      const n = SLOT_WORDS * slot;
      newWords[n] = k0;
      newWords[n + 1] = k1;
      newWords[n + 2] = words[w + 2] as number;
      newWords[n + 3] = words[w + 3] as number;
      newBuckets[3 * slot + 2] = bucket;
    }
    this.#occupied = live;
  }
}

/**
 * The home slot, in a table of `slots`, of a key from its first two words and the table's seeds.
 * Not a keyed PRF, but the seeds are secret and the table unobservable, and two keys land on the
 * same home slot whatever the seeds only if their first 64 bits are equal (2^64 work to arrange).
 */
export function homeSlot(k0: number, k1: number, seed0: number, seed1: number, slots: number): number {
  let h = Math.imul(k0 ^ seed0, 0x9e3779b1) ^ Math.imul(k1 ^ seed1, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  // (h / 2^32) * slots: below 2^53 up to 2^21 slots, and for larger tables the product's rounding
  // (a few units) is far smaller than the 2^32 it would take to reach `slots`.
  return Math.floor(((h >>> 0) * slots) / 4294967296);
}
