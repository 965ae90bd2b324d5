/**
 * The stores check their own Redis's maxmemory-policy when created (evictionCheck: warn by
 * default, refuse, off), against real redis-servers started with an evicting policy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRedisMigrationStore, createRedisReplayStore } from '@wimse-pep/redis';
import { createClient } from 'redis';
import { type RedisServer, startRedisServer } from '../../../test/support/redis-server.js';
import { clientFactories, type TestClient } from './support/clients.js';
import { refusedAsUnavailable } from './support/refused-as-unavailable.js';
import { retryWhileRefused } from './support/retry-while-refused.js';

const use = { id: 'wimse://td.example/service/a', proof: 'http-signature' as const, route: '/x', atMs: 1 };

/** Polls `done` until it holds, for at most 10 s (the check runs in the background under `warn`). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many CONFIG commands the server has run (INFO commandstats). */
async function configCalls(redis: TestClient): Promise<number> {
  const info = String(await redis.command(['INFO', 'commandstats']));
  const match = /cmdstat_config(?:\|get)?:calls=(\d+)/.exec(info);
  return match ? Number(match[1]) : 0;
}

for (const connect of clientFactories) {
  describe(`the stores' own eviction check, on real servers (${connect.name})`, () => {
    const opened: { server: RedisServer; redis: TestClient }[] = [];
    let prefixes = 0;
    const keyPrefix = () => `eviction${++prefixes}:`;
    const serverWith = async (args: string[]) => {
      const server = await startRedisServer({ args });
      const redis = await connect(server);
      opened.push({ server, redis });
      return { server, redis };
    };
    let lru: TestClient;
    before(async () => {
      ({ redis: lru } = await serverWith(['--maxmemory-policy', 'allkeys-lru']));
    });
    after(async () => {
      for (const { server, redis } of opened) {
        await redis.close();
        await server.stop();
      }
    });

    it('allkeys-lru, default (warn): the replay store warns once by itself, and records go on', async () => {
      const warnings: string[] = [];
      const store = createRedisReplayStore({
        client: lru.client as never,
        keyPrefix: keyPrefix(),
        warn: (m) => warnings.push(m),
      });
      const now = Date.now();
      assert.equal(await store.addIfAbsent('sig:n-1', now + 60_000, now, now), true);
      await until(() => warnings.length > 0);
      assert.match(warnings[0] as string, /replay store: Redis maxmemory-policy is allkeys-lru.*noeviction/);
      assert.equal(await store.addIfAbsent('sig:n-1', now + 60_000, now, now), false);
      assert.equal(await store.addIfAbsent('sig:n-2', now + 60_000, now, now), true);
      assert.equal(warnings.length, 1);
    });

    it("allkeys-lru, 'refuse': every record is a 503 until noeviction is confirmed, then records without a restart", async () => {
      const { redis } = await serverWith(['--maxmemory-policy', 'allkeys-lru']);
      const warnings: string[] = [];
      const store = createRedisReplayStore({
        client: redis.client as never,
        keyPrefix: keyPrefix(),
        evictionCheck: 'refuse',
        warn: (m) => warnings.push(m),
      });
      const now = Date.now();
      const refusals = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => store.addIfAbsent(`sig:r-${i}`, now + 60_000, now, now)),
      );
      for (const refusal of refusals) {
        assert.equal(refusal.status, 'rejected');
        await refusedAsUnavailable(Promise.reject(refusal.reason), /replay store refuses to record.*noeviction/);
      }
      await refusedAsUnavailable(store.addIfAbsent('sig:r-5', now + 60_000, now, now), /evictionCheck: 'refuse'/);
      // Nothing was written while refused.
      assert.deepEqual(await redis.command(['DBSIZE']), 0);
      // The operator sets the policy right: the store picks it up by itself.
      await redis.command(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
      assert.equal(await retryWhileRefused(() => store.addIfAbsent('sig:r-0', now + 60_000, now, now)), true);
      assert.equal(await store.addIfAbsent('sig:r-0', now + 60_000, now, now), false);
      // One warning for the one problem, however many refusals.
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] as string, /allkeys-lru/);
    });

    it("noeviction, 'refuse': the first record waits for the check and goes through", async () => {
      const { redis } = await serverWith(['--maxmemory-policy', 'noeviction']);
      const warnings: string[] = [];
      const store = createRedisReplayStore({
        client: redis.client as never,
        keyPrefix: keyPrefix(),
        evictionCheck: 'refuse',
        warn: (m) => warnings.push(m),
      });
      const now = Date.now();
      assert.equal(await store.addIfAbsent('sig:ok', now + 60_000, now, now), true);
      assert.deepEqual(warnings, []);
      assert.equal(await configCalls(redis), 1);
    });

    it("'off': no CONFIG command at all, no warning, records go on (for managed services)", async () => {
      const callsBefore = await configCalls(lru);
      const warnings: string[] = [];
      const store = createRedisReplayStore({
        client: lru.client as never,
        keyPrefix: keyPrefix(),
        evictionCheck: 'off',
        warn: (m) => warnings.push(m),
      });
      const now = Date.now();
      assert.equal(await store.addIfAbsent('sig:off', now + 60_000, now, now), true);
      // Commands on one connection run in order: a CONFIG sent at creation would have run before the SET.
      assert.equal(await configCalls(lru), callsBefore);
      assert.deepEqual(warnings, []);
    });

    it("CONFIG disabled: 'warn' says the check could not run and how to turn it off; 'refuse' refuses", async () => {
      const { redis } = await serverWith(['--rename-command', 'CONFIG', '']);
      const warnings: string[] = [];
      const warned = createRedisReplayStore({
        client: redis.client as never,
        keyPrefix: keyPrefix(),
        warn: (m) => warnings.push(m),
      });
      const now = Date.now();
      assert.equal(await warned.addIfAbsent('sig:c-1', now + 60_000, now, now), true);
      await until(() => warnings.length > 0);
      assert.match(warnings[0] as string, /could not read Redis maxmemory-policy.*evictionCheck to 'off'/);
      const refusing = createRedisReplayStore({
        client: redis.client as never,
        keyPrefix: keyPrefix(),
        evictionCheck: 'refuse',
        warn: () => {},
      });
      await refusedAsUnavailable(refusing.addIfAbsent('sig:c-2', now + 60_000, now, now), /refuses to record/);
    });

    it("the migration store checks too: 'refuse' fails every call closed, 'warn' warns naming it", async () => {
      const refusing = createRedisMigrationStore({
        client: lru.client as never,
        keyPrefix: keyPrefix(),
        evictionCheck: 'refuse',
        warn: () => {},
      });
      for (const call of [
        () => refusing.recordUse(use),
        () => refusing.get(use.id),
        () => refusing.list(),
        () => refusing.reset(),
      ]) {
        await refusedAsUnavailable(call(), /migration store refuses to record/);
      }
      const warnings: string[] = [];
      const warned = createRedisMigrationStore({
        client: lru.client as never,
        keyPrefix: keyPrefix(),
        warn: (m) => warnings.push(m),
      });
      assert.equal((await warned.recordUse(use)).ratchetedAtMs, 1);
      await until(() => warnings.length > 0);
      assert.match(warnings[0] as string, /migration store: Redis maxmemory-policy is allkeys-lru/);
    });

    it('validates evictionCheck and warn once, naming the field', () => {
      assert.throws(
        () => createRedisReplayStore({ client: lru.client as never, evictionCheck: 'maybe' as never }),
        /createRedisReplayStore: evictionCheck must be 'warn', 'refuse' or 'off', got "maybe"/,
      );
      assert.throws(
        () => createRedisReplayStore({ client: lru.client as never, warn: 'console' as never }),
        /createRedisReplayStore: warn must be a function, got "console"/,
      );
      assert.throws(
        () => createRedisMigrationStore({ client: lru.client as never, evictionCheck: false as never }),
        /createRedisMigrationStore: evictionCheck must be .* got boolean/,
      );
    });
  });
}

describe('the eviction check waits for a client that is not connected yet (node-redis before connect())', () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedisServer({ args: ['--maxmemory-policy', 'allkeys-lru'] });
  });
  after(async () => {
    await server?.stop();
  });

  it('no "could not read" warning at creation; the check runs once the client is connected', async () => {
    const client = createClient({ url: server.url });
    client.on('error', () => {});
    const warnings: string[] = [];
    const store = createRedisReplayStore({
      client: client as never,
      keyPrefix: 'early:',
      warn: (m) => warnings.push(m),
    });
    try {
      const now = Date.now();
      // Not connected: the record fails closed, and the check does not run (nor warn) yet.
      await refusedAsUnavailable(store.addIfAbsent('sig:early', now + 60_000, now, now), /not connected/);
      assert.equal(warnings.length, 0);
      await client.connect();
      assert.equal(await store.addIfAbsent('sig:early', now + 60_000, now, now), true);
      await until(() => warnings.length > 0);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] as string, /maxmemory-policy is allkeys-lru/);
    } finally {
      client.destroy();
    }
  });
});
