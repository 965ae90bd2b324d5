/**
 * The off-heap table under MemoryReplayStore: probe chains, reuse of expired slots, rebuilds.
 * Keys are given as words so that collisions can be chosen: keys equal in their first two words
 * share a home slot whatever the seeds.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { homeSlot, NonceTable } from '../src/replay/nonce-table.js';

type Key = readonly [number, number, number, number];

function randomKey(): Key {
  const bytes = randomBytes(16);
  return [bytes.readInt32LE(0), bytes.readInt32LE(4), bytes.readInt32LE(8), bytes.readInt32LE(12)];
}

const find = (table: NonceTable, key: Key, passed: number) => table.find(key[0], key[1], key[2], key[3], passed);

/** Inserts like the store does: find, then put where find said; false when a live copy is there. */
function insert(table: NonceTable, key: Key, bucket: number, passed: number): boolean {
  const slot = find(table, key, passed);
  if (slot < 0) return false;
  table.put(slot, key[0], key[1], key[2], key[3], bucket, passed);
  return true;
}

describe('NonceTable', () => {
  it('keeps keys that share a home slot apart, and finds each along the chain', () => {
    const table = new NonceTable(16, 1, 2);
    const chain: Key[] = [0, 1, 2, 3, 4].map((i) => [7, 9, i, -i]);
    const home = homeSlot(7, 9, 1, 2, 16);
    for (const key of chain) assert.equal(insert(table, key, 100, 0), true);
    for (const key of chain) assert.equal(find(table, key, 0), -1);
    assert.equal(find(table, [7, 9, 5, -5], 0), (home + 5) & 15, 'a new key goes to the end of the chain');
    assert.equal(table.occupied, 5);
  });

  it('keeps keys apart whose different home slots collide in the table index', () => {
    const [seed0, seed1] = [0x12345678, -0x789abcd];
    const wanted = homeSlot(1, 1, seed0, seed1, 8);
    const colliding: Key[] = [];
    for (let k0 = 2; colliding.length < 4; k0++)
      if (homeSlot(k0, 1, seed0, seed1, 8) === wanted) colliding.push([k0, 1, 0, 0]);
    const table = new NonceTable(8, seed0, seed1);
    for (const key of colliding) assert.equal(insert(table, key, 10, 0), true);
    for (const key of colliding) assert.equal(insert(table, key, 10, 0), false);
    assert.equal(table.countLive(0), 4);
  });

  it('reuses an expired slot in the middle of a chain without cutting off the keys stored after it', () => {
    const table = new NonceTable(16, 3, 4);
    const a: Key = [5, 6, 1, 0];
    const b: Key = [5, 6, 2, 0];
    const c: Key = [5, 6, 3, 0];
    const home = homeSlot(5, 6, 3, 4, 16);
    insert(table, a, 200, 0);
    insert(table, b, 50, 0); // expires first: the middle of the chain
    insert(table, c, 200, 0);
    // At passed = 50, b's slot is expired: c, stored after it, is still found.
    assert.equal(find(table, c, 50), -1);
    assert.equal(find(table, a, 50), -1);
    // A new key on the same chain takes b's slot ...
    const d: Key = [5, 6, 4, 0];
    assert.equal(find(table, d, 50), (home + 1) & 15);
    assert.equal(insert(table, d, 300, 50), true);
    // ... and everything on the chain stays found; b itself is free to come back, after d.
    for (const key of [a, c, d]) assert.equal(find(table, key, 50), -1);
    assert.equal(find(table, b, 50), (home + 3) & 15);
    assert.equal(table.occupied, 3);
  });

  it('finds a live key further along a chain that has an expired slot before it (no duplicate)', () => {
    const table = new NonceTable(16, 5, 6);
    const expired: Key = [1, 2, 1, 1];
    const live: Key = [1, 2, 2, 2];
    insert(table, expired, 10, 0);
    insert(table, live, 100, 0);
    assert.equal(insert(table, live, 100, 10), false, 'the expired slot before it must not hide the live copy');
    assert.equal(table.countLive(10), 1);
  });

  it('grows across many rebuilds without losing a key, and sizes itself to the live keys', () => {
    const table = new NonceTable(8);
    const keys = Array.from({ length: 50_000 }, randomKey);
    const sizes = new Set([table.slots]);
    for (const key of keys) {
      assert.equal(insert(table, key, 1000, 0), true);
      sizes.add(table.slots);
    }
    assert.ok(sizes.size >= 10, `grew ${sizes.size - 1} times`);
    // At most 3/4 full, and no more than twice the live keys (plus one size step).
    assert.ok(table.slots >= 50_000 / 0.75 && table.slots <= 100_064, `${table.slots} slots`);
    for (const key of keys) assert.equal(find(table, key, 0), -1);
    assert.equal(table.occupied, 50_000);
    assert.equal(table.byteLength, table.slots * 24);
  });

  it('a rebuild leaves out expired keys, keeping every live one', () => {
    const table = new NonceTable(64);
    const shortLived = Array.from({ length: 10_000 }, randomKey);
    const longLived = Array.from({ length: 20 }, randomKey);
    for (const key of shortLived) insert(table, key, 5, 0);
    for (const key of longLived) insert(table, key, 500, 0);
    // Past bucket 5: new keys take expired slots or fill empty ones, until a rebuild sweeps the rest.
    const fresh: Key[] = [];
    for (let before = table.occupied; ; before = table.occupied) {
      const key = randomKey();
      fresh.push(key);
      insert(table, key, 500, 5);
      if (table.occupied < before) break;
    }
    assert.equal(table.occupied, longLived.length + fresh.length);
    assert.equal(table.countLive(5), table.occupied);
    for (const key of [...longLived, ...fresh]) assert.equal(find(table, key, 5), -1);
    for (const key of shortLived) assert.ok(find(table, key, 5) >= 0);
  });

  it('shrinks back once the keys that made it grow have expired', () => {
    const table = new NonceTable(256);
    for (let i = 0; i < 20_000; i++) insert(table, randomKey(), 1, 0);
    const grown = table.slots;
    assert.ok(grown >= 20_000 / 0.75, `${grown} slots`);
    // Then a light load: 50 keys per bucket, each live for one bucket.
    let passed = 1;
    let latest: Key[] = [];
    while (table.slots === grown && passed < 100_000) {
      passed++;
      latest = Array.from({ length: 50 }, randomKey);
      for (const key of latest) insert(table, key, passed + 1, passed);
    }
    assert.equal(table.slots, 256);
    for (const key of latest) assert.equal(find(table, key, passed), -1);
  });

  it('answers like a plain map of key to bucket, for any sequence of inserts and passing time', () => {
    // Few distinct words, so that home slots collide and chains are long; an 8-slot table, so that it rebuilds often.
    const key = fc.tuple(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 1 }),
      fc.integer({ min: 0, max: 40 }),
    );
    const step = fc.oneof(
      fc.record({ insert: key, ttl: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ advance: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 20, maxLength: 400, size: 'max' }),
        fc.integer(),
        fc.integer(),
        (steps, seed0, seed1) => {
          const table = new NonceTable(8, seed0, seed1);
          const model = new Map<string, number>();
          let passed = 0;
          for (const s of steps) {
            if ('advance' in s) {
              passed += s.advance;
              continue;
            }
            const [a, b, c] = s.insert;
            const words: Key = [a, b, c, a ^ c];
            const name = words.join();
            const known = model.get(name);
            const expected = known === undefined || known <= passed;
            assert.equal(insert(table, words, passed + s.ttl, passed), expected);
            if (expected) model.set(name, passed + s.ttl);
          }
          const live = [...model.values()].filter((bucket) => bucket > passed).length;
          assert.equal(table.countLive(passed), live);
          assert.ok(table.occupied <= table.slots * 0.75);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an initial size that is not an integer from 8 to 2^31 - 1', () => {
    for (const bad of [0, 4, 1.5, 2 ** 31, Number.NaN]) assert.throws(() => new NonceTable(bad), RangeError);
  });
});
