/**
 * Redis Cluster with three primaries and a replica each (six real redis-servers): nonce keys in
 * every slot refused across service replicas, durable writes acknowledged by the replica of the
 * key's own primary, the migration store's hash-tagged scripts shared, and a slot moved under
 * the stores' feet (ASK while it migrates, MOVED once it moved) without a wrong answer.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRedisMigrationStore, createRedisReplayStore } from '@wimse-pep/redis';
import { Redis } from 'ioredis';
import { runMigrationStoreContract } from '../../../test/support/migration-store-contract.js';
import { keySlot } from '../src/cluster/key-slot.js';
import { ioredisCluster, nodeRedisCluster, type TestClient } from './support/clients.js';
import { refusedAsUnavailable } from './support/refused-as-unavailable.js';
import { type ClusterNode, startThreePrimaryCluster, type ThreePrimaryCluster } from './support/three-primaries.js';

const digest = (nonce: string) => createHash('sha256').update(nonce).digest('base64url');
const durability = { replicas: 1, timeoutMs: 1000 };
const factories = [nodeRedisCluster, ioredisCluster];

let cluster: ThreePrimaryCluster;
/** Two clients per library: two service replicas sharing the cluster. */
const clients = new Map<string, [TestClient, TestClient]>();

before(async () => {
  cluster = await startThreePrimaryCluster();
  const seed = cluster.servers[0];
  if (!seed) throw new Error('no cluster');
  for (const connect of factories) clients.set(connect.name, [await connect(seed), await connect(seed)]);
});
after(async () => {
  for (const pair of clients.values()) for (const client of pair) await client.close();
  await cluster?.stop();
});

/** Nonces whose keys (under `prefix`) cover every one of the 16 384 slots. */
function noncesForEverySlot(prefix: string): string[] {
  const bySlot = new Map<number, string>();
  for (let i = 0; bySlot.size < 16_384; i++) {
    const nonce = `n-${i}`;
    const slot = keySlot(prefix + digest(nonce));
    if (!bySlot.has(slot)) bySlot.set(slot, nonce);
  }
  return [...bySlot.values()];
}

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<unknown>): Promise<unknown[]> {
  const results: unknown[] = [];
  for (let i = 0; i < items.length; i += 128) results.push(...(await Promise.all(items.slice(i, i + 128).map(each))));
  return results;
}

describe('Redis Cluster with three primaries and a replica each', { timeout: 120_000 }, () => {
  it('the slot of a key is the one Redis computes', async () => {
    const seed = `127.0.0.1:${cluster.servers[0]?.port}`;
    for (const key of ['wimse:nonce:abc', '{wimse}:nonce:x', 'a{}b', '{}{x}', 'x{y}z{w}', 'é']) {
      assert.equal(keySlot(key), Number(await cluster.on(seed, ['CLUSTER', 'KEYSLOT', key])), key);
    }
  });

  for (const connect of factories) {
    it(`${connect.name}: a nonce in every slot, accepted once by one service and refused by the other`, async () => {
      const [first, second] = clients.get(connect.name) as [TestClient, TestClient];
      const keyPrefix = `every-slot:${connect.name}:`;
      const nonces = noncesForEverySlot(keyPrefix);
      // 16 384 checks in batches on a shared 2-core machine: a generous bound per check.
      const options = { keyPrefix, topologyCheck: 'off', timeoutMs: 10_000 } as const;
      const a = createRedisReplayStore({ client: first.client as never, ...options });
      const b = createRedisReplayStore({ client: second.client as never, ...options });
      const now = Date.now();
      const firstTime = await inBatches(nonces, (nonce) => a.addIfAbsent(nonce, now + 60_000, now, now));
      assert.equal(firstTime.filter((fresh) => fresh === true).length, 16_384);
      const replayed = await inBatches(nonces, (nonce) => b.addIfAbsent(nonce, now + 60_000, now, now));
      assert.equal(replayed.filter((fresh) => fresh === false).length, 16_384);
      // The keys really are spread: every primary holds some.
      for (const node of (await cluster.nodes()).filter((candidate) => candidate.primary)) {
        assert.ok(Number(await cluster.on(node.address, ['DBSIZE'])) > 1000, node.address);
      }
    });

    it(`${connect.name}: durable writes are on the replica of each key's own primary when the store answers`, async () => {
      const [first] = clients.get(connect.name) as [TestClient, TestClient];
      const keyPrefix = `durable:${connect.name}:`;
      const store = createRedisReplayStore({ client: first.client as never, keyPrefix, durability });
      try {
        const nodes = await cluster.nodes();
        const replicaOf = new Map<string, string>();
        for (const node of nodes.filter((candidate) => !candidate.primary)) {
          const info = String(await cluster.on(node.address, ['INFO', 'replication']));
          const host = /master_host:(\S+)/.exec(info)?.[1];
          const port = /master_port:(\d+)/.exec(info)?.[1];
          replicaOf.set(`${host}:${port}`, node.address);
        }
        const ownerOf = (slot: number) =>
          nodes.find((node) => node.primary && node.slots.some(([low, high]) => slot >= low && slot <= high));
        const now = Date.now();
        const owners = new Set<string>();
        for (let i = 0; i < 60; i++) {
          const nonce = `d-${i}`;
          assert.equal(await store.addIfAbsent(nonce, now + 60_000, now, now), true);
          const key = keyPrefix + digest(nonce);
          const owner = ownerOf(keySlot(key));
          assert.ok(owner);
          owners.add(owner.address);
          const replica = replicaOf.get(owner.address) as string;
          assert.equal(await readOnReplica(replica, key), '1', `${nonce} on the replica ${replica}`);
        }
        assert.equal(owners.size, 3);
      } finally {
        store.close();
      }
    });
  }

  for (const connect of factories) {
    it(`${connect.name}: the migration ratchet is shared between two services (durable, hash-tagged keys)`, async () => {
      const [first, second] = clients.get(connect.name) as [TestClient, TestClient];
      const keyPrefix = `shared:${connect.name}:`;
      const a = createRedisMigrationStore({ client: first.client as never, keyPrefix, durability });
      const b = createRedisMigrationStore({ client: second.client as never, keyPrefix, topologyCheck: 'off' });
      try {
        await b.recordUse({ id: 'spiffe://td/svc', proof: 'bearer', route: '/r', atMs: 1000 });
        const ratcheted = await a.recordUse({ id: 'spiffe://td/svc', proof: 'wpt', route: '/r', atMs: 2000 });
        assert.equal(ratcheted.ratchetedAtMs, 2000);
        assert.equal((await b.get('spiffe://td/svc'))?.ratchetedAtMs, 2000);
        const later = await b.recordUse({ id: 'spiffe://td/svc', proof: 'bearer', route: '/r', atMs: 3000 });
        assert.equal(later.ratchetedAtMs, 2000);
        assert.equal(later.mechanisms.bearer?.count, 2);
      } finally {
        a.close();
      }
    });
  }

  for (const connect of factories) {
    it(`${connect.name}: a slot resharded under the stores (ASK while migrating, MOVED after): no wrong answer`, async () => {
      const [first, second] = clients.get(connect.name) as [TestClient, TestClient];
      const nodes = await cluster.nodes();
      const primaries = nodes.filter((node) => node.primary);
      const from = primaries[0] as (typeof primaries)[number];
      const to = primaries[1] as (typeof primaries)[number];
      // A hash tag owned by `from`: every key of the prefix lives in its slot.
      let tag = 0;
      while (
        !from.slots.some(
          ([low, high]) => keySlot(`{${connect.name}-${tag}}`) >= low && keySlot(`{${connect.name}-${tag}}`) <= high,
        )
      )
        tag++;
      const keyPrefix = `{${connect.name}-${tag}}:nonce:`;
      const slot = String(keySlot(keyPrefix));
      const durable = createRedisReplayStore({ client: first.client as never, keyPrefix, durability });
      const plain = createRedisReplayStore({ client: second.client as never, keyPrefix, topologyCheck: 'off' });
      const now = Date.now();
      const add = (store: typeof durable, nonce: string) => store.addIfAbsent(nonce, now + 60_000, now, now);
      try {
        assert.equal(await add(durable, 'before'), true);
        // Migrating: `from` still has 'before'; new keys are asked of `to` (ASK).
        await cluster.on(to.address, ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id]);
        await cluster.on(from.address, ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id]);
        assert.equal(await add(durable, 'while-migrating'), true);
        assert.equal(await add(plain, 'while-migrating'), false);
        assert.equal(await add(plain, 'while-migrating-2'), true);
        assert.equal(await add(durable, 'while-migrating-2'), false);
        assert.equal(await add(durable, 'before'), false);
        // Move the slot's remaining keys (ours and other tests'), then give it to `to`: the
        // clients' slot maps are now stale (MOVED).
        await finishMigration(slot, from, to);
        assert.equal(await add(durable, 'after'), true);
        assert.equal(await add(plain, 'after'), false);
        assert.equal(await add(plain, 'before'), false);
        assert.equal(await add(durable, 'before'), false);
        assert.equal(await add(plain, 'after-2'), true);
        assert.equal(await add(durable, 'after-2'), false);
        assert.equal(await cluster.on(from.address, ['CLUSTER', 'COUNTKEYSINSLOT', slot]), 0);
        const ours = ['before', 'while-migrating', 'while-migrating-2', 'after', 'after-2'];
        assert.equal(await cluster.on(to.address, ['EXISTS', ...ours.map((nonce) => keyPrefix + digest(nonce))]), 5);
      } finally {
        durable.close();
      }
    });
  }

  for (const connect of factories) {
    it(`${connect.name}: the migration store while its slot migrates: 503 while its keys are split (TRYAGAIN), the right records after`, async () => {
      const [first, second] = clients.get(connect.name) as [TestClient, TestClient];
      const keyPrefix = `tryagain:${connect.name}:`;
      const durable = createRedisMigrationStore({ client: first.client as never, keyPrefix, durability });
      const plain = createRedisMigrationStore({ client: second.client as never, keyPrefix, topologyCheck: 'off' });
      const keys = ['records', 'plain', 'ratcheted'].map((name) => `${keyPrefix}{migration}:${name}`);
      const slot = String(keySlot(keys[0] as string));
      const nodes = await cluster.nodes();
      const owns = (node: (typeof nodes)[number]) =>
        node.slots.some(([low, high]) => Number(slot) >= low && Number(slot) <= high);
      const from = nodes.find((node) => node.primary && owns(node)) as (typeof nodes)[number];
      const to = nodes.find((node) => node.primary && node !== from) as (typeof nodes)[number];
      const [host, port] = to.address.split(':') as [string, string];
      const moveKeys = (...names: string[]) =>
        cluster.on(from.address, ['MIGRATE', host, port, '', '0', '5000', 'KEYS', ...names]);
      try {
        await plain.recordUse({ id: 'spiffe://td/bearer', proof: 'bearer', route: '/r', atMs: 1000 });
        await durable.recordUse({ id: 'spiffe://td/ratcheted', proof: 'wpt', route: '/r', atMs: 1000 });
        await cluster.on(to.address, ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id]);
        await cluster.on(from.address, ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id]);
        // Half moved: the script's keys are on two nodes; Redis answers TRYAGAIN until they are together.
        await moveKeys(keys[0] as string);
        for (const store of [durable, plain]) {
          // Redis answers TRYAGAIN (ioredis retries it until the store's timeout): a 503, never a record.
          await refusedAsUnavailable(
            store.recordUse({ id: 'spiffe://td/ratcheted', proof: 'bearer', route: '/r', atMs: 2000 }),
            /TRYAGAIN|did not answer/,
          );
        }
        await finishMigration(slot, from, to);
        const after = await durable.recordUse({
          id: 'spiffe://td/ratcheted',
          proof: 'bearer',
          route: '/r',
          atMs: 3000,
        });
        assert.equal(after.ratchetedAtMs, 1000);
        assert.equal((await plain.get('spiffe://td/bearer'))?.mechanisms.bearer?.count, 1);
        assert.equal((await plain.get('spiffe://td/ratcheted'))?.ratchetedAtMs, 1000);
        assert.equal(await cluster.on(from.address, ['CLUSTER', 'COUNTKEYSINSLOT', slot]), 0);
      } finally {
        durable.close();
      }
    });
  }
});

/** Moves every key left in `slot` from `from` to `to` (MIGRATE), then gives `to` the slot, as a reshard does. */
async function finishMigration(slot: string, from: ClusterNode, to: ClusterNode): Promise<void> {
  const [host, port] = to.address.split(':') as [string, string];
  for (;;) {
    const keys = (await cluster.on(from.address, ['CLUSTER', 'GETKEYSINSLOT', slot, '100'])) as string[];
    if (keys.length === 0) break;
    await cluster.on(from.address, ['MIGRATE', host, port, '', '0', '5000', 'KEYS', ...keys]);
  }
  for (const node of [to, from]) await cluster.on(node.address, ['CLUSTER', 'SETSLOT', slot, 'NODE', to.id]);
}

/** GET on a replica, after READONLY on the same connection. */
async function readOnReplica(address: string, key: string): Promise<unknown> {
  const [host, port] = address.split(':');
  const connection = new Redis(Number(port), host as string, { maxRetriesPerRequest: 1 });
  connection.on('error', () => {});
  try {
    await connection.call('READONLY');
    return await connection.call('GET', key);
  } finally {
    connection.disconnect();
  }
}

let prefixes = 0;
for (const connect of factories) {
  runMigrationStoreContract(`three-primary Redis Cluster over ${connect.name}`, async (limits) =>
    createRedisMigrationStore({
      client: clients.get(connect.name)?.[0].client as never,
      keyPrefix: `contract${++prefixes}:`,
      topologyCheck: 'off',
      ...limits,
    }),
  );
}
