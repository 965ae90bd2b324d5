/**
 * The cache of verified WITs: what enters it, what is verified once, what is verified again. The
 * verification itself is the caller's (`verify`); here it is a counted function returning a
 * verified-WIT record whose key set generation the test controls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WimseError } from '@wimse-pep/core';
import { WitCache } from '../src/verifier/wit-cache.js';
import type { VerifiedWit } from '../src/wit/verify-wit.js';

const NOW_MS = 1_800_000_000_000;
const TOLERANCE_SEC = 60;

/** A key set whose generation the test sets: a number (fresh) or a promise (being fetched). */
function keySet() {
  const state: { generation: number | Promise<number> } = { generation: 1 };
  return { state, keys: { generation: () => state.generation } };
}

function verifiedWit(keys: { generation: () => number | Promise<number> }, keyGeneration = 1): VerifiedWit {
  return {
    issuer: { keys },
    keyGeneration,
    expiresAt: NOW_MS / 1000 + 3600,
  } as unknown as VerifiedWit;
}

/** A `verify` for one token that counts its calls and succeeds or fails as told. */
function counted(result: () => Promise<VerifiedWit>) {
  const calls = { count: 0 };
  const verify = () => {
    calls.count++;
    return result();
  };
  return { calls, verify };
}

const invalid = () => Promise.reject(new WimseError('wit_invalid', 'bad signature'));

describe('WitCache', () => {
  it('serves a verified WIT without verifying it again, and without a promise', async () => {
    const cache = new WitCache(10, () => NOW_MS);
    const { keys } = keySet();
    const wit = verifiedWit(keys);
    const a = counted(async () => wit);
    assert.equal(await cache.get('a', a.verify, TOLERANCE_SEC), wit);
    assert.equal(cache.get('a', a.verify, TOLERANCE_SEC), wit);
    assert.equal(a.calls.count, 1);
  });

  it('verifies a new token once for concurrent requests, and a failure is never cached', async () => {
    const cache = new WitCache(10, () => NOW_MS);
    const { keys } = keySet();
    const a = counted(async () => verifiedWit(keys));
    const results = await Promise.all([1, 2, 3].map(() => cache.get('a', a.verify, TOLERANCE_SEC)));
    assert.equal(a.calls.count, 1);
    assert.equal(new Set(results).size, 1);

    const bad = counted(invalid);
    for (let i = 0; i < 3; i++) await assert.rejects(async () => cache.get('bad', bad.verify, TOLERANCE_SEC));
    assert.equal(bad.calls.count, 3);
    assert.equal(cache.has('bad'), false);
  });

  it('a flood of tokens that fail evicts no verified WIT', async () => {
    const cache = new WitCache(2, () => NOW_MS);
    const { keys } = keySet();
    const a = counted(async () => verifiedWit(keys));
    const b = counted(async () => verifiedWit(keys));
    await cache.get('a', a.verify, TOLERANCE_SEC);
    await cache.get('b', b.verify, TOLERANCE_SEC);
    for (let i = 0; i < 50; i++) {
      await assert.rejects(async () => cache.get(`forged-${i}`, invalid, TOLERANCE_SEC), { code: 'wit_invalid' });
    }
    await cache.get('a', a.verify, TOLERANCE_SEC);
    await cache.get('b', b.verify, TOLERANCE_SEC);
    assert.deepEqual([a.calls.count, b.calls.count], [1, 1]);
  });

  it('verifies again once the key set has another generation, or after it was fetched again', async () => {
    const cache = new WitCache(10, () => NOW_MS);
    const { state, keys } = keySet();
    const a = counted(async () => verifiedWit(keys, typeof state.generation === 'number' ? state.generation : 0));
    await cache.get('a', a.verify, TOLERANCE_SEC);
    state.generation = 2;
    await cache.get('a', a.verify, TOLERANCE_SEC);
    assert.equal(a.calls.count, 2);
    // Being fetched, then the same generation: the cached WIT stands.
    state.generation = Promise.resolve(2);
    await cache.get('a', a.verify, TOLERANCE_SEC);
    assert.equal(a.calls.count, 2);
    // A fetch that fails is this request's failure, and nothing is verified meanwhile.
    state.generation = Promise.reject(new WimseError('unavailable', 'the issuer key set could not be fetched'));
    await assert.rejects(async () => cache.get('a', a.verify, TOLERANCE_SEC), { code: 'unavailable' });
    assert.equal(a.calls.count, 2);
  });

  it('knows a token while it is verified and once it is, not after its verification failed', async () => {
    const cache = new WitCache(10, () => NOW_MS);
    const { keys } = keySet();
    let release: (wit: VerifiedWit) => void = () => {};
    const pending = cache.get('a', () => new Promise((resolve) => (release = resolve)), TOLERANCE_SEC);
    assert.equal(cache.has('a'), true);
    release(verifiedWit(keys));
    await pending;
    assert.equal(cache.has('a'), true);
    await assert.rejects(async () => cache.get('bad', invalid, TOLERANCE_SEC));
    assert.equal(cache.has('bad'), false);
  });

  it('keeps nothing when its size is 0', async () => {
    const cache = new WitCache(0, () => NOW_MS);
    const { keys } = keySet();
    const a = counted(async () => verifiedWit(keys));
    await cache.get('a', a.verify, TOLERANCE_SEC);
    await cache.get('a', a.verify, TOLERANCE_SEC);
    assert.equal(a.calls.count, 2);
    assert.equal(cache.has('a'), false);
  });
});
