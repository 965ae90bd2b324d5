/**
 * The MigrationStore contract (packages/core/src/migration/migration-store.ts), as one suite that
 * runs the same cases against any implementation: the in-memory store, the Redis store, yours.
 *
 *   runMigrationStoreContract('MemoryMigrationStore', async (limits) => new MemoryMigrationStore(limits));
 *
 * The factory gets the bounds to apply and must return an empty store each time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallerMigrationRecord, CallerUse, MigrationStore } from '@wimse-pep/core';

export interface MigrationStoreLimits {
  readonly maxCallers?: number;
  readonly maxRoutesPerCaller?: number;
}

export type MigrationStoreFactory = (limits: MigrationStoreLimits) => Promise<MigrationStore>;

const T = 1_795_348_800_000;
const use = (id: string, proof: CallerUse['proof'], atMs = T, route = '/orders'): CallerUse => ({
  id,
  proof,
  route,
  atMs,
});
const byId = (records: readonly CallerMigrationRecord[]) => [...records].sort((a, b) => a.id.localeCompare(b.id));

export function runMigrationStoreContract(name: string, createStore: MigrationStoreFactory): void {
  describe(`MigrationStore contract: ${name}`, () => {
    it('an unknown caller has no record; the list starts empty', async () => {
      const store = await createStore({});
      assert.equal(await store.get('wimse://td.example/service/nobody'), undefined);
      assert.deepEqual(await store.list(), []);
    });

    it('records a bearer use: count, first and last seen, route, no ratchet', async () => {
      const store = await createStore({});
      const record = await store.recordUse(use('wimse://td.example/service/a', 'bearer', T, '/orders'));
      assert.deepEqual(record, {
        id: 'wimse://td.example/service/a',
        mechanisms: { bearer: { count: 1, firstSeenMs: T, lastSeenMs: T } },
        routes: ['/orders'],
      });
      assert.deepEqual(await store.get('wimse://td.example/service/a'), record);
    });

    it('counts uses per proof; first and last seen follow the use times, in any order', async () => {
      const store = await createStore({});
      const id = 'wimse://td.example/service/a';
      await store.recordUse(use(id, 'bearer', T + 5_000));
      await store.recordUse(use(id, 'bearer', T + 1_000));
      const record = await store.recordUse(use(id, 'bearer', T + 9_000));
      assert.deepEqual(record.mechanisms.bearer, { count: 3, firstSeenMs: T + 1_000, lastSeenMs: T + 9_000 });
    });

    it('routes are remembered once each, bounded per caller (the oldest kept)', async () => {
      const store = await createStore({ maxRoutesPerCaller: 3 });
      const id = 'wimse://td.example/service/a';
      for (const route of ['/a', '/b', '/a', '/c', '/d', '/e']) await store.recordUse(use(id, 'bearer', T, route));
      assert.deepEqual((await store.get(id))?.routes, ['/a', '/b', '/c']);
    });

    it('a proof of possession sets the ratchet; first writer wins, never moved, not even earlier', async () => {
      const store = await createStore({});
      const id = 'wimse://td.example/service/a';
      await store.recordUse(use(id, 'bearer', T));
      const ratcheted = await store.recordUse(use(id, 'http-signature', T + 10_000));
      assert.equal(ratcheted.ratchetedAtMs, T + 10_000);
      assert.equal((await store.recordUse(use(id, 'wpt', T + 1_000))).ratchetedAtMs, T + 10_000);
      assert.equal((await store.recordUse(use(id, 'mtls', T + 20_000))).ratchetedAtMs, T + 10_000);
      // A bearer use afterwards is counted (a stolen token, refused by the guard) but never undoes it.
      const after = await store.recordUse(use(id, 'bearer', T + 30_000));
      assert.equal(after.ratchetedAtMs, T + 10_000);
      assert.equal(after.mechanisms.bearer?.count, 2);
      assert.equal(after.mechanisms['http-signature']?.count, 1);
    });

    it('a bearer use never ratchets', async () => {
      const store = await createStore({});
      const record = await store.recordUse(use('wimse://td.example/service/a', 'bearer', T));
      assert.equal('ratchetedAtMs' in record && record.ratchetedAtMs !== undefined, false);
    });

    it('concurrent uses from many replicas: none lost, one ratchet that every answer agrees on', async () => {
      const store = await createStore({});
      const id = 'wimse://td.example/service/busy';
      const uses = Array.from({ length: 60 }, (_, i) =>
        use(id, i % 3 === 0 ? 'http-signature' : 'bearer', T + (i % 7) * 1000, `/r${i % 4}`),
      );
      const answers = await Promise.all(uses.map((u) => store.recordUse(u)));
      const record = await store.get(id);
      assert.equal(record?.mechanisms['http-signature']?.count, 20);
      assert.equal(record?.mechanisms.bearer?.count, 40);
      assert.deepEqual([...(record?.routes ?? [])].sort(), ['/r0', '/r1', '/r2', '/r3']);
      const ratchets = new Set(answers.map((a) => a.ratchetedAtMs).filter((t) => t !== undefined));
      assert.equal(ratchets.size, 1, `answers disagree on the ratchet: ${[...ratchets]}`);
      assert.equal(record?.ratchetedAtMs, [...ratchets][0]);
    });

    it('keeps at most maxCallers callers', async () => {
      const store = await createStore({ maxCallers: 3 });
      for (let i = 0; i < 8; i++) await store.recordUse(use(`wimse://td.example/service/c${i}`, 'bearer', T + i));
      const listed = await store.list();
      assert.equal(listed.length, 3);
      // The most recent ones are kept.
      assert.ok(await store.get('wimse://td.example/service/c7'));
    });

    it('a flood of bearer callers never pushes out a ratchet', async () => {
      const store = await createStore({ maxCallers: 3 });
      const migrated = 'wimse://td.example/service/migrated';
      await store.recordUse(use(migrated, 'http-signature', T));
      for (let i = 0; i < 20; i++) await store.recordUse(use(`wimse://td.example/service/flood${i}`, 'bearer', T + i));
      assert.equal((await store.get(migrated))?.ratchetedAtMs, T);
      assert.equal((await store.list()).length, 3);
    });

    it('lists every record', async () => {
      const store = await createStore({});
      await store.recordUse(use('wimse://td.example/service/b', 'bearer'));
      await store.recordUse(use('wimse://td.example/service/a', 'http-signature'));
      const listed = byId(await store.list());
      assert.deepEqual(
        listed.map((r) => [r.id, r.ratchetedAtMs]),
        [
          ['wimse://td.example/service/a', T],
          ['wimse://td.example/service/b', undefined],
        ],
      );
    });

    it('reset(id) forgets one caller, its ratchet too; reset() forgets everyone', async () => {
      const store = await createStore({});
      const a = 'wimse://td.example/service/a';
      const b = 'wimse://td.example/service/b';
      await store.recordUse(use(a, 'http-signature'));
      await store.recordUse(use(b, 'bearer'));
      await store.reset(a);
      assert.equal(await store.get(a), undefined);
      assert.ok(await store.get(b));
      const again = await store.recordUse(use(a, 'bearer', T + 5));
      assert.equal(again.ratchetedAtMs, undefined);
      assert.equal(again.mechanisms.bearer?.count, 1);
      await store.reset();
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get(b), undefined);
    });

    it('answers are snapshots: frozen, and later uses do not change them', async () => {
      const store = await createStore({});
      const id = 'wimse://td.example/service/a';
      const first = await store.recordUse(use(id, 'bearer'));
      assert.ok(Object.isFrozen(first) && Object.isFrozen(first.routes) && Object.isFrozen(first.mechanisms));
      await store.recordUse(use(id, 'bearer', T + 1, '/other'));
      assert.equal(first.mechanisms.bearer?.count, 1);
      assert.deepEqual(first.routes, ['/orders']);
    });

    it('rejects a malformed use with a TypeError, recording nothing', async () => {
      const store = await createStore({});
      for (const bad of [
        { ...use('', 'bearer') },
        { ...use('wimse://td.example/service/a', 'bearer'), proof: 'password' },
        { ...use('wimse://td.example/service/a', 'bearer'), atMs: Number.NaN },
        { ...use('wimse://td.example/service/a', 'bearer'), route: 7 },
      ]) {
        await assert.rejects(store.recordUse(bad as CallerUse), TypeError);
      }
      assert.deepEqual(await store.list(), []);
    });
  });
}
