/**
 * An independent RFC 6962 implementation for the tests, kept apart from the product code and
 * written from the RFC's recursive definitions (§2.1), over node:crypto only: MTH, and proof
 * checks that rebuild the root by mirroring the recursion of PATH and PROOF.
 */
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

export const referenceLeafHash = (data: Uint8Array): Buffer => sha256(Buffer.from([0]), data);
const node = (left: Uint8Array, right: Uint8Array) => sha256(Buffer.from([1]), left, right);

/** k: the largest power of two smaller than n. */
function split(n: number): number {
  return 2 ** Math.floor(Math.log2(n - 1));
}

/** MTH(D[n]) of the leaf data. */
export function referenceRoot(data: readonly Uint8Array[]): Buffer {
  if (data.length === 0) return sha256();
  if (data.length === 1) return referenceLeafHash(data[0] as Uint8Array);
  const k = split(data.length);
  return node(referenceRoot(data.slice(0, k)), referenceRoot(data.slice(k)));
}

/**
 * The root an inclusion proof leads to: PATH(m, D[n]) lists the sibling of the top split last,
 * so the proof is consumed from its end while descending towards the leaf.
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer {
  const rest = [...proof];
  const descend = (m: number, n: number): Buffer => {
    if (n === 1) return Buffer.from(leaf);
    const sibling = rest.pop();
    if (!sibling) throw new Error('the proof is too short');
    const k = split(n);
    return m < k ? node(descend(m, k), sibling) : node(sibling, descend(m - k, n - k));
  };
  const root = descend(index, size);
  if (rest.length > 0) throw new Error('the proof is too long');
  return root;
}

/**
 * Both roots a consistency proof leads to, mirroring SUBPROOF(m, D[n], b): returns the old and the
 * new root; the caller compares them with the two checkpoints.
 */
export function rootsFromConsistencyProof(
  older: number,
  newer: number,
  proof: readonly Uint8Array[],
  olderRoot: Uint8Array,
): { older: Buffer; newer: Buffer } {
  const rest = [...proof];
  const take = () => {
    const hash = rest.pop();
    if (!hash) throw new Error('the proof is too short');
    return Buffer.from(hash);
  };
  // Returns [old subtree hash or undefined when the old tree does not reach here, new subtree hash].
  const walk = (m: number, n: number, whole: boolean): { old: Buffer; fresh: Buffer } => {
    if (m === n) {
      if (whole) return { old: Buffer.from(olderRoot), fresh: Buffer.from(olderRoot) };
      const hash = rest.shift();
      if (!hash) throw new Error('the proof is too short');
      return { old: Buffer.from(hash), fresh: Buffer.from(hash) };
    }
    const k = split(n);
    if (m <= k) {
      const right = take();
      const inner = walk(m, k, whole);
      return { old: inner.old, fresh: node(inner.fresh, right) };
    }
    const left = take();
    const inner = walk(m - k, n - k, false);
    return { old: node(left, inner.old), fresh: node(left, inner.fresh) };
  };
  const { old, fresh } = walk(older, newer, true);
  if (rest.length > 0) throw new Error('the proof is too long');
  return { older: old, newer: fresh };
}
