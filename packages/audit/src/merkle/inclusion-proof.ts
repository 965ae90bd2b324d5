import { splitPoint } from './tree-hash.js';
import type { TreeView } from './tree-view.js';

/** RFC 6962 §2.1.1 PATH(m, D[n]): the audit path of leaf `index` in the tree of `size` leaves. */
export function inclusionProof(tree: TreeView, index: number, size: number): Buffer[] {
  if (!(index >= 0 && index < size && size <= tree.size)) {
    throw new RangeError(`no leaf ${index} in a tree of ${size} leaves`);
  }
  const path: Buffer[] = [];
  // Walk down from the root, collecting siblings; the path lists them from the leaf up.
  let from = 0;
  let to = size;
  while (to - from > 1) {
    const k = splitPoint(to - from);
    if (index < from + k) {
      path.push(tree.rangeHash(from + k, to));
      to = from + k;
    } else {
      path.push(tree.rangeHash(from, from + k));
      from += k;
    }
  }
  return path.reverse();
}
