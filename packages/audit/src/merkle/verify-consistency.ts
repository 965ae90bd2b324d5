import { nodeHash } from './tree-hash.js';

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows the tree of `older` leaves (root `olderRoot`) to be a
 * prefix of the tree of `newer` leaves (root `newerRoot`).
 */
export function verifyConsistency(
  older: number,
  newer: number,
  proof: readonly Uint8Array[],
  olderRoot: Uint8Array,
  newerRoot: Uint8Array,
): boolean {
  if (!(Number.isSafeInteger(older) && Number.isSafeInteger(newer) && older > 0 && older <= newer)) return false;
  if (older === newer) return proof.length === 0 && Buffer.from(olderRoot).equals(newerRoot);
  if (proof.length === 0) return false;
  const path = [...proof];
  // When the older tree is a complete subtree, its root is the first node of the path.
  if (isPowerOfTwo(older)) path.unshift(olderRoot);
  let fn = older - 1;
  let sn = newer - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr: Buffer = Buffer.from(path[0] as Uint8Array);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(olderRoot) && sr.equals(newerRoot);
}

function isPowerOfTwo(n: number): boolean {
  let rest = n;
  while (rest % 2 === 0) rest /= 2;
  return rest === 1;
}
