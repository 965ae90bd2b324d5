import type { CompactRange } from './compact-range.js';
import { emptyRoot, nodeHash, splitPoint } from './tree-hash.js';

/**
 * Subtree hashes of a tree known from a compact range at `start` (the edge a rotated file begins
 * with) and the leaf hashes from `start` on. Every subtree that an inclusion or consistency proof
 * for a leaf at `start` or later needs is either one of those edge subtrees or is built from the
 * leaves; asking for anything inside an earlier file is an error naming the file it needs.
 */
export class TreeView {
  readonly #start: number;
  readonly #edge = new Map<string, Buffer>();
  readonly #leaves: readonly Buffer[];

  constructor(start: CompactRange, leaves: readonly Buffer[]) {
    this.#start = start.size;
    this.#leaves = leaves;
    let offset = 0;
    const hashes = start.hashes;
    let index = 0;
    for (let bit = 2 ** 52; bit >= 1; bit /= 2) {
      if (Math.floor(start.size / bit) % 2 === 1) {
        this.#edge.set(`${offset}:${offset + bit}`, hashes[index++] as Buffer);
        offset += bit;
      }
    }
  }

  /** Number of leaves in the view (the tree size up to which it can answer). */
  get size(): number {
    return this.#start + this.#leaves.length;
  }

  get start(): number {
    return this.#start;
  }

  /** MTH(D[from:to]). */
  rangeHash(from: number, to: number): Buffer {
    const edge = this.#edge.get(`${from}:${to}`);
    if (edge) return edge;
    if (to - from === 1) {
      const leaf = from >= this.#start ? this.#leaves[from - this.#start] : undefined;
      if (!leaf)
        throw new RangeError(`leaf ${from} is not in the files read (they cover ${this.#start} to ${this.size - 1})`);
      return leaf;
    }
    const k = splitPoint(to - from);
    return nodeHash(this.rangeHash(from, from + k), this.rangeHash(from + k, to));
  }

  /** The root of the tree of `size` leaves: its perfect subtrees folded from the right. */
  root(size: number): Buffer {
    if (size < this.#start || size > this.size) throw new RangeError(`no tree of size ${size} in the files read`);
    const parts: Buffer[] = [];
    let offset = 0;
    for (let bit = 2 ** 52; bit >= 1; bit /= 2) {
      if (Math.floor(size / bit) % 2 === 1) {
        parts.push(this.rangeHash(offset, offset + bit));
        offset += bit;
      }
    }
    let root = parts.pop();
    if (!root) return emptyRoot();
    for (let part = parts.pop(); part; part = parts.pop()) root = nodeHash(part, root);
    return root;
  }
}
