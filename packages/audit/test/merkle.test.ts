import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CompactRange,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  TreeView,
  verifyConsistency,
  verifyInclusion,
} from '@wimse-pep/audit';
import {
  referenceLeafHash,
  referenceRoot,
  rootFromInclusionProof,
  rootsFromConsistencyProof,
} from './support/rfc6962-reference.js';

const hex = (value: Uint8Array) => Buffer.from(value).toString('hex');
const unhex = (value: string) => Buffer.from(value, 'hex');

// The Certificate Transparency reference leaves and tree heads (RFC 6962 test vectors).
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(unhex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

function view(data: readonly Uint8Array[], start = 0): TreeView {
  const edge = new CompactRange();
  for (const leaf of data.slice(0, start)) edge.append(leafHash(leaf));
  return new TreeView(
    edge,
    data.slice(start).map((leaf) => leafHash(leaf)),
  );
}

describe('RFC 6962 Merkle tree', () => {
  it('gives the Certificate Transparency reference roots for every size 0 to 8', () => {
    assert.equal(hex(emptyRoot()), CT_ROOTS[0]);
    const range = new CompactRange();
    for (let n = 1; n <= CT_LEAVES.length; n++) {
      range.append(leafHash(CT_LEAVES[n - 1] as Buffer));
      assert.equal(hex(range.root()), CT_ROOTS[n], `size ${n}`);
      assert.equal(hex(view(CT_LEAVES.slice(0, n)).root(n)), CT_ROOTS[n], `view, size ${n}`);
    }
  });

  it('gives the reference inclusion proofs (leaf 0 and 5 of 8) and consistency proofs (6 to 8, 2 to 5)', () => {
    const tree = view(CT_LEAVES);
    assert.deepEqual(inclusionProof(tree, 0, 8).map(hex), [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    assert.deepEqual(inclusionProof(tree, 5, 8).map(hex), [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    assert.deepEqual(consistencyProof(tree, 6, 8).map(hex), [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    assert.deepEqual(consistencyProof(tree, 2, 5).map(hex), [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ]);
  });

  const data = Array.from({ length: 37 }, (_, i) => Buffer.from(`record ${i}`));

  it('every inclusion proof, for every size up to 37, checks with the independent implementation and with verifyInclusion', () => {
    const tree = view(data);
    for (let size = 1; size <= data.length; size++) {
      const root = referenceRoot(data.slice(0, size));
      assert.deepEqual(tree.root(size), root, `root of ${size}`);
      for (let index = 0; index < size; index++) {
        const leaf = referenceLeafHash(data[index] as Buffer);
        const proof = inclusionProof(tree, index, size);
        assert.deepEqual(rootFromInclusionProof(index, size, leaf, proof), root, `leaf ${index} of ${size}`);
        assert.ok(verifyInclusion(leaf, index, size, proof, root));
        // Another leaf, another index, another tree: refused.
        assert.ok(!verifyInclusion(referenceLeafHash(Buffer.from('forged')), index, size, proof, root));
        if (size > 1) assert.ok(!verifyInclusion(leaf, (index + 1) % size, size, proof, root));
        if (proof.length > 0) assert.ok(!verifyInclusion(leaf, index, size, proof.slice(1), root));
      }
    }
  });

  it('every consistency proof checks with the independent implementation and with verifyConsistency', () => {
    const tree = view(data);
    for (let newer = 1; newer <= data.length; newer++) {
      const newerRoot = referenceRoot(data.slice(0, newer));
      for (let older = 1; older <= newer; older++) {
        const olderRoot = referenceRoot(data.slice(0, older));
        const proof = consistencyProof(tree, older, newer);
        if (older < newer) {
          const roots = rootsFromConsistencyProof(older, newer, proof, olderRoot);
          assert.deepEqual(roots.older, olderRoot, `${older} -> ${newer}`);
          assert.deepEqual(roots.newer, newerRoot, `${older} -> ${newer}`);
        }
        assert.ok(verifyConsistency(older, newer, proof, olderRoot, newerRoot), `${older} -> ${newer}`);
        if (older < newer) {
          assert.ok(!verifyConsistency(older, newer, proof, referenceRoot([Buffer.from('x')]), newerRoot));
        }
      }
    }
  });

  it('a tree known from a compact range (a rotated file) proves every leaf after it, and refuses leaves before', () => {
    for (const start of [1, 5, 8, 13, 16, 21]) {
      const tree = view(data, start);
      for (let size = start; size <= data.length; size++) {
        assert.deepEqual(tree.root(size), referenceRoot(data.slice(0, size)), `start ${start}, size ${size}`);
        for (let index = start; index < size; index++) {
          const proof = inclusionProof(tree, index, size);
          const leaf = referenceLeafHash(data[index] as Buffer);
          assert.deepEqual(rootFromInclusionProof(index, size, leaf, proof), referenceRoot(data.slice(0, size)));
        }
      }
    }
    assert.throws(() => inclusionProof(view(data, 5), 1, 9), /is not in the files read \(they cover 5 to 36\)/);
  });

  it('a compact range refuses an edge that does not fit its size', () => {
    assert.throws(() => new CompactRange(3, [leafHash(Buffer.from('a'))]), /has 2 edge hashes, got 1/);
  });
});
