import { splitPoint } from './tree-hash.js';
import type { TreeView } from './tree-view.js';

/** RFC 6962 §2.1.2 PROOF(m, D[n]): that the tree of `older` leaves is a prefix of the tree of `newer`. */
export function consistencyProof(tree: TreeView, older: number, newer: number): Buffer[] {
  if (!(older > 0 && older <= newer && newer <= tree.size)) {
    throw new RangeError(`no consistency proof from ${older} to ${newer} leaves`);
  }
  if (older === newer) return [];
  const proof: Buffer[] = [];
  // SUBPROOF(m, D[from:to], b), unrolled: the siblings are collected top-down, listed bottom-up.
  let m = older;
  let from = 0;
  let to = newer;
  let complete = true;
  while (m !== to - from) {
    const k = splitPoint(to - from);
    if (m <= k) {
      proof.push(tree.rangeHash(from + k, to));
      to = from + k;
    } else {
      proof.push(tree.rangeHash(from, from + k));
      from += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) proof.push(tree.rangeHash(from, to));
  return proof.reverse();
}
