/**
 * Redis Cluster: a real redis-server in cluster mode owning every slot. A cluster node refuses
 * any command whose keys hash to different slots (CROSSSLOT) whoever owns them, so one node is
 * enough to prove that every command the stores send is cluster-safe.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRedisMigrationStore, createRedisReplayStore } from '@wimse-pep/redis';
import { Redis } from 'ioredis';
import { runMigrationStoreContract } from '../../../test/support/migration-store-contract.js';
import { type RedisServer, startRedisServer } from '../../../test/support/redis-server.js';
import { ioredisCluster, nodeRedisCluster, type TestClient } from './support/clients.js';

let server: RedisServer;
let configFile: string;
const clients = new Map<string, TestClient>();

before(async () => {
  configFile = join(tmpdir(), `wimse-cluster-${process.pid}-${Date.now()}.conf`);
  server = await startRedisServer({
    args: ['--cluster-enabled', 'yes', '--cluster-config-file', configFile, '--cluster-announce-ip', '127.0.0.1'],
  });
  const admin = new Redis(server.port, '127.0.0.1');
  try {
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    const deadline = Date.now() + 10_000;
    while (!String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) {
      if (Date.now() > deadline) throw new Error('the one-node cluster did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    admin.disconnect();
  }
  for (const connect of [nodeRedisCluster, ioredisCluster]) clients.set(connect.name, await connect(server));
});
after(async () => {
  for (const client of clients.values()) await client.close();
  await server?.stop();
  if (configFile) rmSync(configFile, { force: true });
});

for (const name of ['nodeRedisCluster', 'ioredisCluster']) {
  describe(`replay store on Redis Cluster (${name})`, () => {
    it('a hash-tagged prefix keeps every nonce key in one slot; duplicates refused', async () => {
      const redis = clients.get(name) as TestClient;
      const store = createRedisReplayStore({ client: redis.client as never, keyPrefix: `{wimse}:${name}:` });
      const now = Date.now();
      assert.equal(await store.addIfAbsent('c-1', now + 60_000, now, now), true);
      assert.equal(await store.addIfAbsent('c-2', now + 60_000, now, now), true);
      assert.equal(await store.addIfAbsent('c-1', now + 60_000, now, now), false);
      const slots = await Promise.all(
        ['c-1', 'c-2'].map((nonce) =>
          redis.command([
            'CLUSTER',
            'KEYSLOT',
            `{wimse}:${name}:${createHash('sha256').update(nonce).digest('base64url')}`,
          ]),
        ),
      );
      assert.equal(slots[0], slots[1]);
      assert.equal(Number(slots[0]), Number(await redis.command(['CLUSTER', 'KEYSLOT', '{wimse}'])));
    });

    it('without a hash tag, keys spread over slots and every check still works (single-key commands)', async () => {
      const redis = clients.get(name) as TestClient;
      const store = createRedisReplayStore({ client: redis.client as never, keyPrefix: `plain:${name}:` });
      const now = Date.now();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.addIfAbsent(`spread-${i}`, now + 60_000, now, now)),
      );
      assert.deepEqual(new Set(results), new Set([true]));
      assert.equal(await store.addIfAbsent('spread-3', now + 60_000, now, now), false);
    });
  });
}

let prefixes = 0;
for (const name of ['nodeRedisCluster', 'ioredisCluster']) {
  // Without a tag in the prefix (the store adds {migration}) and with the user's own tag.
  runMigrationStoreContract(`Redis Cluster over ${name}`, async (limits) =>
    createRedisMigrationStore({
      client: clients.get(name)?.client as never,
      keyPrefix: ++prefixes % 2 === 0 ? `{wimse}:m${prefixes}:` : `m${prefixes}:`,
      ...limits,
    }),
  );
}
