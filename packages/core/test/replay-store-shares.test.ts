/**
 * MemoryReplayStore's per-caller shares: a caller over `maxPerCaller` is refused while others are
 * not, shares are released as buckets pass, and callers beyond `maxCallers` share one share.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryReplayStore, WimseError } from '@wimse-pep/core';
import fc from 'fast-check';

function capacityRefusal(run: () => unknown): WimseError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof WimseError, `expected a WimseError, got ${String(error)}`);
    assert.equal(error.code, 'replay_capacity');
    assert.equal(error.status, 503);
    return error;
  }
  assert.fail('expected a replay_capacity refusal');
}

const A = 'wimse://td.example/service/a';
const B = 'wimse://td.example/service/b';

describe('MemoryReplayStore: a share per caller', () => {
  it('a caller at its share is refused (503, Retry-After); another caller is still recorded; replays stay replays', () => {
    const clock = 1_000_000;
    const store = new MemoryReplayStore({ max: 10, maxPerCaller: 3, now: () => clock });
    for (let i = 0; i < 3; i++) assert.equal(store.addIfAbsentSync(`a-${i}`, clock + 30_000, clock, clock, A), true);
    const error = capacityRefusal(() => store.addIfAbsentSync('a-3', clock + 30_000, clock, clock, A));
    assert.match(error.message, /this caller holds its share .*3 live nonces/);
    // Until the oldest bucket is dropped: 30 s.
    assert.equal(error.headers['retry-after'], '30');
    // A's own replay is still a replay, not an overload.
    assert.equal(store.addIfAbsentSync('a-0', clock + 30_000, clock, clock, A), false);
    // B is not affected by A's share, and has its own.
    for (let i = 0; i < 3; i++) assert.equal(store.addIfAbsentSync(`b-${i}`, clock + 30_000, clock, clock, B), true);
    capacityRefusal(() => store.addIfAbsentSync('b-3', clock + 30_000, clock, clock, B));
    // A refused nonce was not recorded: A's key is fresh for B (keys are global, shares per caller).
    assert.equal(store.addIfAbsentSync('a-3', clock + 30_000, clock, clock, 'wimse://td.example/service/c'), true);
    assert.equal(store.size, 7);
    assert.equal(store.callers, 3);
  });

  it('the default share is half of max (rounded up): one caller can never fill the store', () => {
    const clock = 2_000_000;
    const store = new MemoryReplayStore({ max: 5, now: () => clock });
    assert.equal(store.maxPerCaller, 3);
    for (let i = 0; i < 3; i++) assert.equal(store.addIfAbsentSync(`a-${i}`, clock + 10_000, clock, clock, A), true);
    capacityRefusal(() => store.addIfAbsentSync('a-3', clock + 10_000, clock, clock, A));
    assert.equal(store.addIfAbsentSync('b-0', clock + 10_000, clock, clock, B), true);
    assert.equal(store.addIfAbsentSync('b-1', clock + 10_000, clock, clock, B), true);
    // Now the store is full: B, under its share, is refused for capacity.
    const full = capacityRefusal(() => store.addIfAbsentSync('b-2', clock + 10_000, clock, clock, B));
    assert.match(full.message, /the replay store holds 5 live nonces/);
  });

  it('nonces recorded without a caller id count only against max', () => {
    const clock = 3_000_000;
    const store = new MemoryReplayStore({ max: 4, maxPerCaller: 1, now: () => clock });
    for (let i = 0; i < 4; i++) assert.equal(store.addIfAbsentSync(`n-${i}`, clock + 10_000, clock, clock), true);
    capacityRefusal(() => store.addIfAbsentSync('n-4', clock + 10_000, clock, clock));
    assert.equal(store.callers, 0);
  });

  it('a share is released as its buckets pass, and the caller is forgotten when it holds nothing', () => {
    let clock = 4_000_000;
    const store = new MemoryReplayStore({ max: 100, maxPerCaller: 2, now: () => clock });
    assert.equal(store.addIfAbsentSync('early', clock + 5_000, clock, clock, A), true);
    assert.equal(store.addIfAbsentSync('late', clock + 20_000, clock, clock, A), true);
    capacityRefusal(() => store.addIfAbsentSync('third', clock + 20_000, clock, clock, A));
    clock += 5_000;
    // `early` expired: one nonce of A's share is free again, not two.
    assert.equal(store.addIfAbsentSync('third', clock + 20_000, clock, clock, A), true);
    capacityRefusal(() => store.addIfAbsentSync('fourth', clock + 20_000, clock, clock, A));
    assert.equal(store.callers, 1);
    clock += 20_000;
    assert.equal(store.addIfAbsentSync('probe', clock + 1_000, clock, clock), true);
    assert.equal(store.callers, 0);
  });

  it('callers beyond maxCallers share one share; a caller with its own keeps it', () => {
    let clock = 5_000_000;
    const store = new MemoryReplayStore({ max: 100, maxPerCaller: 2, maxCallers: 2, now: () => clock });
    const C = 'wimse://td.example/service/c';
    const D = 'wimse://td.example/service/d';
    const E = 'wimse://td.example/service/e';
    assert.equal(store.addIfAbsentSync('a-0', clock + 5_000, clock, clock, A), true);
    assert.equal(store.addIfAbsentSync('b-0', clock + 30_000, clock, clock, B), true);
    assert.equal(store.callers, 2);
    // C and D arrive while both accounts are held: they share the overflow share of 2.
    assert.equal(store.addIfAbsentSync('c-0', clock + 30_000, clock, clock, C), true);
    assert.equal(store.addIfAbsentSync('d-0', clock + 30_000, clock, clock, D), true);
    const error = capacityRefusal(() => store.addIfAbsentSync('d-1', clock + 30_000, clock, clock, D));
    assert.match(error.message, /beyond maxCallers/);
    capacityRefusal(() => store.addIfAbsentSync('c-1', clock + 30_000, clock, clock, C));
    assert.equal(store.addIfAbsentSync('a-1', clock + 5_000, clock, clock, A), true);
    assert.equal(store.callers, 2);
    // A's nonces expire: its account closes, and the next new caller gets one of its own.
    clock += 5_000;
    assert.equal(store.addIfAbsentSync('e-0', clock + 30_000, clock, clock, E), true);
    assert.equal(store.addIfAbsentSync('e-1', clock + 30_000, clock, clock, E), true);
    capacityRefusal(() => store.addIfAbsentSync('e-2', clock + 30_000, clock, clock, E));
    // The overflow share is still held by C and D.
    capacityRefusal(() => store.addIfAbsentSync('c-1', clock + 30_000, clock, clock, C));
    assert.equal(store.callers, 2);
  });

  it('through addIfAbsent (async) the same', async () => {
    const clock = 6_000_000;
    const store = new MemoryReplayStore({ max: 10, maxPerCaller: 1, now: () => clock });
    assert.equal(await store.addIfAbsent('a-0', clock + 10_000, clock, clock, A), true);
    await assert.rejects(store.addIfAbsent('a-1', clock + 10_000, clock, clock, A), { code: 'replay_capacity' });
    assert.equal(await store.addIfAbsent('b-0', clock + 10_000, clock, clock, B), true);
  });

  it('matches a model of per-caller live nonces under random traffic, clock moves and expiries', () => {
    const bucketMs = 1000;
    const operation = fc.record({
      caller: fc.integer({ min: 0, max: 5 }),
      key: fc.integer({ min: 0, max: 40 }),
      lifetimeMs: fc.integer({ min: 1, max: 8_000 }),
      advanceMs: fc.integer({ min: 0, max: 1_500 }),
    });
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 300 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        (operations, maxPerCaller, maxCallers) => {
          let clock = 10_000_000;
          const max = 20;
          const store = new MemoryReplayStore({ max, maxPerCaller, maxCallers, bucketMs, now: () => clock });
          // The model: each live key's bucket and the account it was charged to.
          const live = new Map<number, { bucket: number; account: string }>();
          const owners = new Set<string>();
          for (const { caller, key, lifetimeMs, advanceMs } of operations) {
            clock += advanceMs;
            const passed = Math.floor(clock / bucketMs);
            for (const [k, entry] of live) if (entry.bucket <= passed) live.delete(k);
            const held = (account: string) => [...live.values()].filter((entry) => entry.account === account).length;
            owners.clear();
            for (const entry of live.values()) if (entry.account !== 'overflow') owners.add(entry.account);
            const id = `caller-${caller}`;
            const account = owners.has(id) || owners.size < maxCallers ? id : 'overflow';
            let expected: 'fresh' | 'replay' | 'refused';
            if (live.has(key)) expected = 'replay';
            else if (held(account) >= maxPerCaller || live.size >= max) expected = 'refused';
            else expected = 'fresh';
            let actual: 'fresh' | 'replay' | 'refused';
            try {
              actual = store.addIfAbsentSync(`k-${key}`, clock + lifetimeMs, clock, clock, id) ? 'fresh' : 'replay';
            } catch (error) {
              assert.ok(error instanceof WimseError && error.code === 'replay_capacity');
              actual = 'refused';
            }
            assert.equal(actual, expected);
            if (actual === 'fresh') {
              live.set(key, { bucket: Math.max(Math.ceil((clock + lifetimeMs) / bucketMs), passed + 1), account });
            }
            assert.equal(store.size, live.size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects nonsensical share options at construction, naming them', () => {
    assert.throws(
      () => new MemoryReplayStore({ max: 10, maxPerCaller: 0 }),
      /maxPerCaller must be an integer from 1 to 10, got the number 0/,
    );
    assert.throws(() => new MemoryReplayStore({ max: 10, maxPerCaller: 11 }), /maxPerCaller .* got the number 11/);
    assert.throws(() => new MemoryReplayStore({ maxPerCaller: 1.5 }), TypeError);
    assert.throws(() => new MemoryReplayStore({ maxCallers: 0 }), /maxCallers/);
    assert.throws(() => new MemoryReplayStore({ maxCallers: -1 }), TypeError);
    const store = new MemoryReplayStore({ now: () => 1 });
    assert.throws(() => store.addIfAbsentSync('k', 60_000, 0, 1, 42 as unknown as string), /callerId must be a string/);
  });
});
