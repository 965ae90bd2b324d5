import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WimseError } from '@wimse-pep/core';
import { createRedisMigrationStore } from '@wimse-pep/redis';
import { runMigrationStoreContract } from '../../../test/support/migration-store-contract.js';
import { type RedisServer, startRedisServer } from '../../../test/support/redis-server.js';
import { clientFactories, type TestClient } from './support/clients.js';

let server: RedisServer;
const clients = new Map<string, TestClient>();
before(async () => {
  server = await startRedisServer();
  for (const connect of clientFactories) clients.set(connect.name, await connect(server));
});
after(async () => {
  for (const client of clients.values()) await client.close();
  await server?.stop();
});

let prefixes = 0;
for (const connect of clientFactories) {
  runMigrationStoreContract(`Redis over ${connect.name}`, async (limits) =>
    createRedisMigrationStore({
      client: clients.get(connect.name)?.client as never,
      keyPrefix: `contract${++prefixes}:`,
      ...limits,
    }),
  );
}

describe('Redis migration store: shared and fail-closed', () => {
  it('two replicas (two stores, one Redis) see the same ratchet', async () => {
    const client = clients.get('ioredis')?.client as never;
    const replicaA = createRedisMigrationStore({ client, keyPrefix: 'shared-migration:' });
    const replicaB = createRedisMigrationStore({ client, keyPrefix: 'shared-migration:' });
    await replicaA.recordUse({ id: 'wimse://td.example/service/a', proof: 'http-signature', route: '/x', atMs: 1000 });
    assert.equal((await replicaB.get('wimse://td.example/service/a'))?.ratchetedAtMs, 1000);
  });

  it('works after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const redis = clients.get('nodeRedis') as TestClient;
    const store = createRedisMigrationStore({ client: redis.client as never, keyPrefix: 'flush:' });
    await store.recordUse({ id: 'wimse://td.example/service/a', proof: 'bearer', route: '/x', atMs: 1 });
    await redis.command(['SCRIPT', 'FLUSH']);
    const record = await store.recordUse({ id: 'wimse://td.example/service/a', proof: 'bearer', route: '/x', atMs: 2 });
    assert.equal(record.mechanisms.bearer?.count, 2);
  });

  it('a Redis that cannot answer: every call rejects with 503 unavailable, then recovers', async () => {
    const redis = clients.get('nodeRedis') as TestClient;
    // The outage starts as the store is created: its own eviction check would time out and warn.
    const store = createRedisMigrationStore({
      client: redis.client as never,
      keyPrefix: 'outage:',
      timeoutMs: 100,
      evictionCheck: 'off',
    });
    server.pause();
    try {
      const use = { id: 'wimse://td.example/service/a', proof: 'bearer' as const, route: '/x', atMs: 1 };
      for (const call of [
        () => store.recordUse(use),
        () => store.get(use.id),
        () => store.list(),
        () => store.reset(),
      ]) {
        await assert.rejects(call(), (error: unknown) => error instanceof WimseError && error.status === 503);
      }
    } finally {
      server.resume();
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await store.list();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
});
