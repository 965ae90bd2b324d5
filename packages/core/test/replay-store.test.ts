import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryReplayStore } from '@wimse-pep/core';

describe('MemoryReplayStore', () => {
  it('records a nonce once and reports the second sighting', async () => {
    const store = new MemoryReplayStore({ now: () => 1_000_000 });
    assert.equal(await store.addIfAbsent('a', 1_060_000, 1_000_000), true);
    assert.equal(await store.addIfAbsent('a', 1_060_000, 1_000_000), false);
    assert.equal(await store.addIfAbsent('b', 1_060_000, 1_000_000), true);
  });

  it('forgets a nonce once its signature has expired', async () => {
    let clock = 1_000_000;
    const store = new MemoryReplayStore({ now: () => clock });
    await store.addIfAbsent('a', 1_060_000, 1_000_000);
    clock = 1_060_001;
    assert.equal(await store.addIfAbsent('a', 1_120_000, 1_060_000), true);
  });

  it('never reopens a replay window when full: evicted nonces are refused by their created time', async () => {
    const clock = 2_000_000;
    const store = new MemoryReplayStore({ max: 2, now: () => clock });
    assert.equal(await store.addIfAbsent('first', clock + 60_000, clock - 5_000), true);
    assert.equal(await store.addIfAbsent('second', clock + 60_000, clock - 4_000), true);
    // A third nonce evicts "first", still inside its window.
    assert.equal(await store.addIfAbsent('third', clock + 60_000, clock - 3_000), true);
    assert.equal(store.evictionHorizonMs, clock - 5_000);
    // Replaying the evicted signature is refused although its nonce is gone.
    assert.equal(await store.addIfAbsent('first', clock + 60_000, clock - 5_000), false);
    // A fresh signature created after the horizon is still accepted.
    assert.equal(await store.addIfAbsent('fourth', clock + 60_000, clock), true);
    assert.ok(store.size <= 2);
  });

  it('does not move the horizon for entries that had already expired', async () => {
    let clock = 3_000_000;
    const store = new MemoryReplayStore({ max: 1, now: () => clock });
    await store.addIfAbsent('old', clock + 1_000, clock - 1_000);
    clock += 5_000;
    await store.addIfAbsent('new', clock + 60_000, clock);
    assert.equal(store.evictionHorizonMs, Number.NEGATIVE_INFINITY);
  });

  it('rejects a nonsensical size at construction', () => {
    assert.throws(() => new MemoryReplayStore({ max: 0 }), TypeError);
  });
});
