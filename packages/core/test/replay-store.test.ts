import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryReplayStore, WimseError } from '@wimse-pep/core';

async function refusal(promise: Promise<unknown>): Promise<WimseError> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof WimseError, `expected a WimseError, got ${String(error)}`);
  return error;
}

describe('MemoryReplayStore', () => {
  it('records a nonce once and reports the second sighting', async () => {
    const store = new MemoryReplayStore({ now: () => 1_000_000 });
    assert.equal(await store.addIfAbsent('a', 1_060_000, 1_000_000), true);
    assert.equal(await store.addIfAbsent('a', 1_060_000, 1_000_000), false);
    assert.equal(await store.addIfAbsent('b', 1_060_000, 1_000_000), true);
  });

  it('keeps a nonce until its expiry and forgets it after', async () => {
    let clock = 1_000_000;
    const store = new MemoryReplayStore({ now: () => clock });
    await store.addIfAbsent('a', 1_060_000, 1_000_000);
    clock = 1_059_999;
    assert.equal(await store.addIfAbsent('a', 1_120_000, 1_000_000), false);
    clock = 1_060_000;
    assert.equal(await store.addIfAbsent('a', 1_120_000, 1_060_000), true);
    assert.equal(store.size, 1);
  });

  it('rounds expiry up to the end of a bucket, never down', async () => {
    let clock = 1_000_000;
    const store = new MemoryReplayStore({ bucketMs: 1000, now: () => clock });
    await store.addIfAbsent('a', 1_060_001, 1_000_000);
    clock = 1_060_001;
    // Expired, but its bucket (ending at 1 061 000) has not passed: kept a little longer, never less.
    assert.equal(await store.addIfAbsent('a', 1_120_000, 1_000_000), false);
    clock = 1_061_000;
    assert.equal(await store.addIfAbsent('a', 1_120_000, 1_000_000), true);
  });

  it('drops expired nonces in whole buckets, so capacity is only taken by live ones', async () => {
    let clock = 2_000_000;
    const store = new MemoryReplayStore({ max: 100, now: () => clock });
    for (let i = 0; i < 100; i++)
      assert.equal(await store.addIfAbsent(`old-${i}`, clock + 10_000 + i * 10, clock), true);
    assert.equal(store.size, 100);
    clock += 20_000;
    assert.equal(await store.addIfAbsent('new', clock + 60_000, clock), true);
    assert.equal(store.size, 1);
  });

  it('when full of live nonces, refuses a fresh one as an overload (replay_capacity, 503), never as a replay', async () => {
    const clock = 3_000_000;
    const store = new MemoryReplayStore({ max: 2, now: () => clock });
    assert.equal(await store.addIfAbsent('first', clock + 60_000, clock - 5_000), true);
    assert.equal(await store.addIfAbsent('second', clock + 30_000, clock - 4_000), true);
    const error = await refusal(store.addIfAbsent('fresh', clock + 60_000, clock));
    assert.equal(error.code, 'replay_capacity');
    assert.equal(error.status, 503);
    // Retry-After: until the earliest bucket is dropped (30 s here).
    assert.equal(error.headers['retry-after'], '30');
    // The live nonces stay: their replays are still replays.
    assert.equal(await store.addIfAbsent('first', clock + 60_000, clock - 5_000), false);
    assert.equal(await store.addIfAbsent('second', clock + 30_000, clock - 4_000), false);
    assert.equal(store.size, 2);
  });

  it('accepts again once room is freed by expiry, and then still refuses the old replays it kept', async () => {
    let clock = 4_000_000;
    const store = new MemoryReplayStore({ max: 2, now: () => clock });
    await store.addIfAbsent('short', clock + 1_000, clock);
    await store.addIfAbsent('long', clock + 60_000, clock);
    assert.equal((await refusal(store.addIfAbsent('fresh', clock + 60_000, clock))).code, 'replay_capacity');
    clock += 1_000;
    assert.equal(await store.addIfAbsent('fresh', clock + 60_000, clock), true);
    assert.equal(await store.addIfAbsent('long', clock + 60_000, clock), false);
  });

  it('a nonce refused for capacity was not recorded: it is accepted later, not called a replay', async () => {
    let clock = 5_000_000;
    const store = new MemoryReplayStore({ max: 1, now: () => clock });
    await store.addIfAbsent('a', clock + 1_000, clock);
    await refusal(store.addIfAbsent('b', clock + 60_000, clock));
    clock += 1_000;
    assert.equal(await store.addIfAbsent('b', clock + 60_000, clock), true);
  });

  it('keys by digest: long nonces and nonces that differ in one character are told apart', async () => {
    const store = new MemoryReplayStore({ now: () => 6_000_000 });
    const long = 'n'.repeat(4096);
    assert.equal(await store.addIfAbsent(long, 6_060_000, 6_000_000), true);
    assert.equal(await store.addIfAbsent(`${long.slice(1)}m`, 6_060_000, 6_000_000), true);
    assert.equal(await store.addIfAbsent(long, 6_060_000, 6_000_000), false);
  });

  it('expires out-of-order buckets correctly (a shorter window added after a longer one)', async () => {
    let clock = 7_000_000;
    const store = new MemoryReplayStore({ now: () => clock });
    await store.addIfAbsent('long', clock + 50_000, clock);
    await store.addIfAbsent('short', clock + 5_000, clock);
    await store.addIfAbsent('middle', clock + 20_000, clock);
    clock += 5_000;
    assert.equal(await store.addIfAbsent('short', clock + 1_000, clock), true);
    assert.equal(await store.addIfAbsent('middle', clock + 1_000, clock), false);
    clock += 15_000;
    assert.equal(await store.addIfAbsent('middle', clock + 1_000, clock), true);
    assert.equal(await store.addIfAbsent('long', clock + 1_000, clock), false);
    clock += 30_000;
    assert.equal(await store.addIfAbsent('long', clock + 1_000, clock), true);
  });

  it('rejects nonsensical options at construction', () => {
    assert.throws(() => new MemoryReplayStore({ max: 0 }), TypeError);
    assert.throws(() => new MemoryReplayStore({ max: 1.5 }), TypeError);
    assert.throws(() => new MemoryReplayStore({ bucketMs: 0 }), TypeError);
  });
});
