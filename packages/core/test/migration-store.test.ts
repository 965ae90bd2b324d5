import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryMigrationStore } from '@wimse-pep/core';

const A = 'wimse://td.example/service/a';
const B = 'wimse://td.example/service/b';
const C = 'wimse://td.example/service/c';

describe('MemoryMigrationStore', () => {
  it('counts uses per mechanism with first and last seen', async () => {
    const store = new MemoryMigrationStore();
    await store.recordUse({ id: A, proof: 'bearer', route: '/orders', atMs: 2000 });
    await store.recordUse({ id: A, proof: 'bearer', route: '/orders', atMs: 1000 });
    const record = await store.recordUse({ id: A, proof: 'bearer', route: '/refunds', atMs: 3000 });
    assert.deepEqual(record.mechanisms, { bearer: { count: 3, firstSeenMs: 1000, lastSeenMs: 3000 } });
    assert.deepEqual(record.routes, ['/orders', '/refunds']);
    assert.equal(record.ratchetedAtMs, undefined);
    assert.deepEqual(await store.get(A), record);
    assert.equal(await store.get(B), undefined);
  });

  it('sets the ratchet at the first proof of possession and never moves it', async () => {
    const store = new MemoryMigrationStore();
    await store.recordUse({ id: A, proof: 'bearer', route: '/orders', atMs: 1000 });
    const first = await store.recordUse({ id: A, proof: 'http-signature', route: '/orders', atMs: 5000 });
    assert.equal(first.ratchetedAtMs, 5000);
    // Neither a later nor an earlier proof of possession moves it; bearer does not clear it.
    await store.recordUse({ id: A, proof: 'wpt', route: '/orders', atMs: 9000 });
    await store.recordUse({ id: A, proof: 'http-signature', route: '/orders', atMs: 4000 });
    const after = await store.recordUse({ id: A, proof: 'bearer', route: '/orders', atMs: 10_000 });
    assert.equal(after.ratchetedAtMs, 5000);
    assert.equal(after.mechanisms['http-signature']?.count, 2);
    assert.equal(after.mechanisms.wpt?.count, 1);
    assert.equal(after.mechanisms.bearer?.count, 2);
  });

  it('first writer wins when two uses race', async () => {
    const store = new MemoryMigrationStore();
    const [one, two] = await Promise.all([
      store.recordUse({ id: A, proof: 'http-signature', route: '/x', atMs: 7000 }),
      store.recordUse({ id: A, proof: 'mtls', route: '/x', atMs: 6000 }),
    ]);
    assert.equal(one.ratchetedAtMs, 7000);
    assert.equal(two.ratchetedAtMs, 7000);
  });

  it('bounds the routes per caller, keeping the oldest', async () => {
    const store = new MemoryMigrationStore({ maxRoutesPerCaller: 2 });
    for (const route of ['/a', '/b', '/c', '/a']) await store.recordUse({ id: A, proof: 'bearer', route, atMs: 1 });
    assert.deepEqual((await store.get(A))?.routes, ['/a', '/b']);
    assert.equal((await store.get(A))?.mechanisms.bearer?.count, 4);
  });

  it('bounds the callers and forgets an unratcheted caller before a ratcheted one', async () => {
    const store = new MemoryMigrationStore({ maxCallers: 2 });
    await store.recordUse({ id: A, proof: 'http-signature', route: '/', atMs: 1 });
    await store.recordUse({ id: B, proof: 'bearer', route: '/', atMs: 2 });
    await store.recordUse({ id: C, proof: 'bearer', route: '/', atMs: 3 });
    assert.equal(store.size, 2);
    assert.equal((await store.get(A))?.ratchetedAtMs, 1, 'the ratchet survives the flood');
    assert.equal(await store.get(B), undefined, 'the least recently used unratcheted caller went');
    assert.ok(await store.get(C));
  });

  it('forgets the least recently used caller when all are ratcheted', async () => {
    const store = new MemoryMigrationStore({ maxCallers: 2 });
    await store.recordUse({ id: A, proof: 'http-signature', route: '/', atMs: 1 });
    await store.recordUse({ id: B, proof: 'http-signature', route: '/', atMs: 2 });
    await store.recordUse({ id: A, proof: 'http-signature', route: '/', atMs: 3 }); // A is now the most recent
    await store.recordUse({ id: C, proof: 'bearer', route: '/', atMs: 4 });
    assert.equal(await store.get(B), undefined);
    assert.ok(await store.get(A));
    assert.ok(await store.get(C));
  });

  it('lists every record and resets one or all', async () => {
    const store = new MemoryMigrationStore();
    await store.recordUse({ id: A, proof: 'http-signature', route: '/', atMs: 1 });
    await store.recordUse({ id: B, proof: 'bearer', route: '/', atMs: 2 });
    assert.deepEqual((await store.list()).map((r) => r.id).sort(), [A, B]);
    await store.reset(A);
    assert.equal(await store.get(A), undefined);
    const again = await store.recordUse({ id: A, proof: 'bearer', route: '/', atMs: 3 });
    assert.equal(again.ratchetedAtMs, undefined, 'a reset forgets the ratchet');
    await store.reset();
    assert.deepEqual(await store.list(), []);
    assert.equal(store.size, 0);
  });

  it('hands out snapshots that later uses do not change', async () => {
    const store = new MemoryMigrationStore();
    const first = await store.recordUse({ id: A, proof: 'bearer', route: '/', atMs: 1 });
    await store.recordUse({ id: A, proof: 'bearer', route: '/other', atMs: 2 });
    assert.equal(first.mechanisms.bearer?.count, 1);
    assert.deepEqual(first.routes, ['/']);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.routes));
  });

  it('rejects nonsensical options and uses', async () => {
    assert.throws(() => new MemoryMigrationStore({ maxCallers: 0 }), /maxCallers/);
    assert.throws(() => new MemoryMigrationStore({ maxRoutesPerCaller: 1.5 }), /maxRoutesPerCaller/);
    const store = new MemoryMigrationStore();
    await assert.rejects(
      store.recordUse({ id: A, proof: 'password' as never, route: '/', atMs: 1 }),
      /proof is not a known proof/,
    );
    await assert.rejects(store.recordUse({ id: '', proof: 'bearer', route: '/', atMs: 1 }), TypeError);
    await assert.rejects(store.recordUse({ id: A, proof: 'bearer', route: '/', atMs: Number.NaN }), /atMs/);
  });
});
