import { emptyRoot, nodeHash } from './tree-hash.js';

/**
 * The right edge of an RFC 6962 tree: the roots of its perfect subtrees, largest first (one per
 * set bit of the size). Appending a leaf and computing the root are O(log n), so a writer and a
 * verifier never hold the leaves. It is also what a rotated log file starts from (`frontier`).
 */
export class CompactRange {
  #size: number;
  readonly #hashes: Buffer[];

  constructor(size = 0, hashes: readonly Uint8Array[] = []) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`CompactRange: size must be >= 0, got ${size}`);
    if (hashes.length !== bitCount(size)) {
      throw new RangeError(
        `CompactRange: a tree of ${size} leaves has ${bitCount(size)} edge hashes, got ${hashes.length}`,
      );
    }
    this.#size = size;
    this.#hashes = hashes.map((hash) => Buffer.from(hash));
  }

  get size(): number {
    return this.#size;
  }

  /** The edge hashes, largest subtree first (a copy). */
  get hashes(): Buffer[] {
    return [...this.#hashes];
  }

  append(leaf: Uint8Array): void {
    let hash: Buffer = Buffer.from(leaf);
    // Each trailing 1 bit of the size is a perfect subtree the new leaf completes.
    for (let size = this.#size; size % 2 === 1; size = Math.floor(size / 2)) {
      hash = nodeHash(this.#hashes.pop() as Buffer, hash);
    }
    this.#hashes.push(hash);
    this.#size += 1;
  }

  /** MTH of the leaves so far: the edge subtrees folded from the right. */
  root(): Buffer {
    const last = this.#hashes.length - 1;
    if (last < 0) return emptyRoot();
    let root = this.#hashes[last] as Buffer;
    for (let i = last - 1; i >= 0; i--) root = nodeHash(this.#hashes[i] as Buffer, root);
    return root;
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, this.#hashes);
  }
}

export function bitCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
