/** The account of a caller that has none yet, while there is room to open one for it. */
export const NEW_ACCOUNT = -1;
/** The one account shared by every caller that arrives while `maxCallers` accounts are open. */
export const OVERFLOW_ACCOUNT = 0;
/** Int32 words per charge: the account, then how many of its nonces expire in the bucket. */
const CHARGE_WORDS = 2;
/** Charges of a bucket's first allocation; it doubles when full. */
const INITIAL_CHARGES = 4;

/** The charges of one expiry bucket: (account, count) pairs in an Int32Array, `length` words used. */
interface BucketCharges {
  words: Int32Array;
  length: number;
}

/**
 * How many live nonces each caller holds in a MemoryReplayStore, so that none takes more than its
 * share. Kept like the store's own counts: per expiry bucket, so that a whole bucket's nonces are
 * released in one step when it passes (amortized O(1) per nonce), never per nonce on the heap.
 *
 * - A caller (its authenticated workload id) gets an account, a small integer, while it holds
 *   live nonces; the account is closed when its last nonce expires. At most `maxCallers` accounts
 *   are open (each a Map entry and a few array slots): a caller that arrives while they all are is charged to one shared overflow account,
 *   which has one share for all of them.
 * - Each bucket keeps (account, count) pairs in an Int32Array. A caller's next nonce in the same
 *   bucket as its last one adds to the same pair (the usual case: a steady caller fills one
 *   bucket a second); one that alternates between buckets adds a pair each time it switches, so
 *   the pairs never outnumber the live nonces (8 bytes each at worst, one per caller and bucket
 *   in the usual case).
 */
export class CallerShares {
  readonly #maxCallers: number;
  /** Caller id to its open account (1..maxCallers). */
  readonly #accounts = new Map<string, number>();
  /** Per account (index 0 is the overflow account): its caller id, '' when closed or shared. */
  readonly #callers: string[] = [''];
  /** Per account: live nonces charged to it. */
  readonly #held: number[] = [0];
  /** Per account: the bucket of its last charge, and where in that bucket's words its pair is. */
  readonly #lastBucket: number[] = [Number.NaN];
  readonly #lastAt: number[] = [0];
  /** Closed accounts, to reopen before adding new ones. */
  readonly #closed: number[] = [];
  /** Bucket number to its charges. */
  readonly #charges = new Map<number, BucketCharges>();
  /** The bucket charged last and its charges: the next charge is most likely in it too. */
  #bucket = Number.NaN;
  #bucketCharges: BucketCharges | undefined;

  constructor(maxCallers: number) {
    this.#maxCallers = maxCallers;
  }

  /** Callers with an open account (the overflow account not counted). */
  get callers(): number {
    return this.#accounts.size;
  }

  /** The account of `callerId`: its own, NEW_ACCOUNT when it has none and one can be opened, else the overflow account. */
  accountOf(callerId: string): number {
    const account = this.#accounts.get(callerId);
    if (account !== undefined) return account;
    return this.#accounts.size < this.#maxCallers ? NEW_ACCOUNT : OVERFLOW_ACCOUNT;
  }

  /** Live nonces charged to `account` (none to a NEW_ACCOUNT). */
  held(account: number): number {
    return account === NEW_ACCOUNT ? 0 : (this.#held[account] as number);
  }

  /**
   * Charges one nonce expiring in `bucket` to `account`, from `accountOf(callerId)` with no other
   * call in between (a NEW_ACCOUNT is opened for `callerId` now).
   */
  charge(account: number, callerId: string, bucket: number): void {
    const charged = account === NEW_ACCOUNT ? this.#open(callerId) : account;
    this.#held[charged] = (this.#held[charged] as number) + 1;
    let charges = this.#bucketCharges;
    if (bucket !== this.#bucket || charges === undefined) {
      charges = this.#charges.get(bucket);
      if (charges === undefined) {
        charges = { words: new Int32Array(INITIAL_CHARGES * CHARGE_WORDS), length: 0 };
        this.#charges.set(bucket, charges);
      }
      this.#bucket = bucket;
      this.#bucketCharges = charges;
    }
    if (this.#lastBucket[charged] === bucket) {
      const at = this.#lastAt[charged] as number;
      charges.words[at + 1] = (charges.words[at + 1] as number) + 1;
      return;
    }
    if (charges.length === charges.words.length) {
      const grown = new Int32Array(charges.words.length * 2);
      grown.set(charges.words);
      charges.words = grown;
    }
    const at = charges.length;
    charges.words[at] = charged;
    charges.words[at + 1] = 1;
    charges.length = at + CHARGE_WORDS;
    this.#lastBucket[charged] = bucket;
    this.#lastAt[charged] = at;
  }

  /** `bucket` has passed: its nonces no longer count against their callers; emptied accounts close. */
  release(bucket: number): void {
    const charges = this.#charges.get(bucket);
    if (charges === undefined) return;
    this.#charges.delete(bucket);
    if (bucket === this.#bucket) {
      this.#bucket = Number.NaN;
      this.#bucketCharges = undefined;
    }
    const words = charges.words;
    for (let at = 0; at < charges.length; at += CHARGE_WORDS) {
      const account = words[at] as number;
      const held = (this.#held[account] as number) - (words[at + 1] as number);
      this.#held[account] = held;
      if (held === 0 && account !== OVERFLOW_ACCOUNT) this.#close(account);
    }
  }

  #open(callerId: string): number {
    const account = this.#closed.pop() ?? this.#callers.length;
    this.#callers[account] = callerId;
    this.#held[account] = 0;
    this.#lastBucket[account] = Number.NaN;
    this.#lastAt[account] = 0;
    this.#accounts.set(callerId, account);
    return account;
  }

  #close(account: number): void {
    this.#accounts.delete(this.#callers[account] as string);
    this.#callers[account] = '';
    this.#lastBucket[account] = Number.NaN;
    this.#closed.push(account);
  }
}
