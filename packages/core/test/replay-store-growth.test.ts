/**
 * MemoryReplayStore over its off-heap table: many nonces (the table grows from 4096 slots and is
 * rebuilt many times), expiry sweeps, capacity at exactly `max`, a clock that goes back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryReplayStore, WimseError } from '@wimse-pep/core';
import fc from 'fast-check';

const nonces = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

function capacityRefusal(run: () => unknown): WimseError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof WimseError, `expected a WimseError, got ${String(error)}`);
    assert.equal(error.code, 'replay_capacity');
    return error;
  }
  assert.fail('expected a replay_capacity refusal');
}

describe('MemoryReplayStore over its table', () => {
  it('grows across many doublings without losing a nonce', () => {
    const clock = 10_000_000;
    const store = new MemoryReplayStore({ now: () => clock });
    const all = nonces('grow', 100_000);
    for (const [i, nonce] of all.entries()) {
      assert.equal(store.addIfAbsentSync(nonce, clock + 1_000 + (i % 120_000), clock), true);
      // Each earlier nonce is still there while the table grows under it (checked at a few points).
      if (i % 9_973 === 0)
        for (let j = 0; j <= i; j += 97)
          assert.equal(store.addIfAbsentSync(all[j] as string, clock + 5_000, clock), false);
    }
    assert.equal(store.size, 100_000);
    for (const nonce of all) assert.equal(store.addIfAbsentSync(nonce, clock + 60_000, clock), false);
    assert.equal(store.size, 100_000);
  });

  it('detects replays after the table grew and after expired nonces were swept', async () => {
    let clock = 20_000_000;
    const store = new MemoryReplayStore({ now: () => clock });
    const shortLived = nonces('short', 20_000);
    const longLived = nonces('long', 20_000);
    for (const nonce of shortLived) store.addIfAbsentSync(nonce, clock + 10_000, clock);
    for (const nonce of longLived) store.addIfAbsentSync(nonce, clock + 120_000, clock);
    assert.equal(store.size, 40_000);
    clock += 10_000;
    // Enough new nonces to take over expired slots and to force rebuilds that leave the expired ones out.
    const later = nonces('later', 60_000);
    for (const nonce of later) assert.equal(await store.addIfAbsent(nonce, clock + 60_000, clock), true);
    assert.equal(store.size, 80_000);
    for (const nonce of longLived) assert.equal(await store.addIfAbsent(nonce, clock + 60_000, clock), false);
    for (const nonce of later) assert.equal(store.addIfAbsentSync(nonce, clock + 60_000, clock), false);
    // The expired ones are forgotten: accepted again, and remembered again.
    for (const nonce of shortLived) assert.equal(store.addIfAbsentSync(nonce, clock + 60_000, clock), true);
    for (const nonce of shortLived) assert.equal(store.addIfAbsentSync(nonce, clock + 60_000, clock), false);
    assert.equal(store.size, 100_000);
  });

  it('refuses at exactly max live nonces, keeps all of them, and accepts again once some expire', () => {
    let clock = 30_000_000;
    const max = 5_000;
    const store = new MemoryReplayStore({ max, now: () => clock });
    const held = nonces('held', max);
    for (const [i, nonce] of held.entries())
      assert.equal(store.addIfAbsentSync(nonce, clock + (i < 100 ? 2_000 : 60_000), clock), true);
    assert.equal(store.size, max);
    assert.equal(store.capacity, max);
    const error = capacityRefusal(() => store.addIfAbsentSync('one-more', clock + 60_000, clock));
    assert.equal(error.status, 503);
    assert.equal(error.headers['retry-after'], '2');
    // A replay of a held nonce is still a replay, not an overload.
    for (const nonce of held) assert.equal(store.addIfAbsentSync(nonce, clock + 60_000, clock), false);
    assert.equal(store.size, max);
    clock += 2_000;
    assert.equal(store.size, max, 'size counts a passed bucket until the next call drops it');
    for (let i = 0; i < 100; i++) assert.equal(store.addIfAbsentSync(`fresh-${i}`, clock + 60_000, clock), true);
    capacityRefusal(() => store.addIfAbsentSync('fresh-100', clock + 60_000, clock));
    assert.equal(store.size, max);
  });

  it('a clock that goes back forgets no live nonce, even across rebuilds', () => {
    let clock = 40_000_000;
    const store = new MemoryReplayStore({ now: () => clock });
    const before = nonces('before', 5_000);
    for (const nonce of before) store.addIfAbsentSync(nonce, clock + 60_000, clock);
    clock -= 3_600_000;
    // An hour back: new nonces "expire" before the latest time seen; they are kept at least until then.
    const during = nonces('during', 20_000);
    for (const nonce of during) assert.equal(store.addIfAbsentSync(nonce, clock + 60_000, clock), true);
    for (const nonce of before) assert.equal(store.addIfAbsentSync(nonce, clock + 60_000, clock), false);
    assert.equal(store.size, 25_000);
    clock += 3_600_000;
    for (const nonce of [...before, ...during])
      assert.equal(store.addIfAbsentSync(nonce, clock + 60_000, clock), false);
    assert.equal(store.size, 25_000);
    // Once the latest time seen has passed, the nonces from the clock's trip back are forgotten; the others stay.
    clock += 1_000;
    assert.equal(store.addIfAbsentSync(during[0] as string, clock + 60_000, clock), true);
    assert.equal(store.size, 5_001);
    clock += 59_000;
    assert.equal(store.addIfAbsentSync(before[0] as string, clock + 60_000, clock), true);
    assert.equal(store.size, 2);
  });

  it('keeps the same nonces whether asked synchronously or not', async () => {
    let clock = 50_000_000;
    const sync = new MemoryReplayStore({ now: () => clock });
    const async = new MemoryReplayStore({ now: () => clock });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3_000; i++) {
        const nonce = `n-${(i * 7 + round * 1_000) % 6_000}`;
        const expires = clock + 1_000 + ((i * 13) % 4_000);
        assert.equal(await async.addIfAbsent(nonce, expires, clock), sync.addIfAbsentSync(nonce, expires, clock));
      }
      clock += 1_500;
      assert.equal(async.size, sync.size);
    }
  });

  it('refuses (rather than files nowhere) an expiry or clock that is not a number', () => {
    const store = new MemoryReplayStore({ now: () => Number.NaN });
    assert.throws(() => store.addIfAbsentSync('a', 1_000), TypeError);
    assert.throws(() => store.addIfAbsentSync('a', Number.NaN, 0, 1_000), TypeError);
    assert.equal(store.addIfAbsentSync('a', 2_000, 0, 1_000), true);
    assert.equal(store.addIfAbsentSync('a', 2_000, 0, 1_999), false);
  });

  it('answers exactly like a plain map of nonces to buckets (replays, capacity and Retry-After, size), clock moving forward', () => {
    const step = fc.oneof(
      fc.record({ nonce: fc.integer({ min: 0, max: 30 }), ttlMs: fc.integer({ min: -2_000, max: 8_000 }) }),
      fc.record({ advanceMs: fc.integer({ min: 0, max: 3_000 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 20, maxLength: 300, size: 'max' }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(1, 7, 250, 1000),
        (steps, max, bucketMs) => {
          let clock = 1_700_000_000_000;
          const store = new MemoryReplayStore({ max, bucketMs, now: () => clock });
          // The model: nonce -> the last bucket it is kept in; whole buckets forgotten once the clock is past them.
          const kept = new Map<number, number>();
          for (const s of steps) {
            if ('advanceMs' in s) {
              clock += s.advanceMs;
              continue;
            }
            const current = Math.floor(clock / bucketMs);
            for (const [nonce, bucket] of kept) if (bucket <= current) kept.delete(nonce);
            const expiresAtMs = clock + s.ttlMs;
            let answer: boolean | string;
            try {
              answer = store.addIfAbsentSync(`nonce-${s.nonce}`, expiresAtMs, clock);
            } catch (error) {
              assert.ok(error instanceof WimseError && error.code === 'replay_capacity', String(error));
              answer = error.headers['retry-after'] as string;
            }
            if (kept.has(s.nonce)) assert.equal(answer, false);
            else if (kept.size >= max) {
              const oldest = Math.min(...kept.values());
              assert.equal(answer, String(Math.max(1, Math.ceil((oldest * bucketMs - clock) / 1000))));
            } else {
              assert.equal(answer, true);
              kept.set(s.nonce, Math.max(Math.ceil(expiresAtMs / bucketMs), current + 1));
            }
            assert.equal(store.size, kept.size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
