/**
 * Replicated Redis: a primary and a replica (real redis-servers, the replication link through a
 * relay the test can cut), the failover that loses a nonce, and what the store's durability
 * setting, its topology check and the primary's min-replicas-to-write do about it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { AuditEvent } from '@wimse-pep/core';
import { createRedisMigrationStore, createRedisReplayStore } from '@wimse-pep/redis';
import { Redis } from 'ioredis';
import { expectProblem, send, signed } from '../../../test/adapters/cases.js';
import expressHarness from '../../../test/adapters/harness-express.js';
import { createScenario } from '../../../test/support/index.js';
import type { RedisServer } from '../../../test/support/redis-server.js';
import { clientFactories, type TestClient } from './support/clients.js';
import { refusedAsUnavailable } from './support/refused-as-unavailable.js';
import { type ReplicatedPair, startReplicatedPair, until } from './support/replication.js';
import { retryWhileRefused } from './support/retry-while-refused.js';

const nonceKey = (prefix: string, nonce: string) => prefix + createHash('sha256').update(nonce).digest('base64url');
const durability = { replicas: 1, timeoutMs: 200 };
let prefixes = 0;

/** A plain connection to one server, for looking at what it holds. */
async function look(server: RedisServer, args: string[]): Promise<unknown> {
  const connection = new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  connection.on('error', () => {});
  try {
    return await connection.call(args[0] as string, ...args.slice(1));
  } finally {
    connection.disconnect();
  }
}

for (const connect of clientFactories) {
  describe(`replicated Redis, primary and replica (${connect.name})`, { timeout: 60_000 }, () => {
    let pair: ReplicatedPair;
    let redis: TestClient;
    before(async () => {
      pair = await startReplicatedPair();
      redis = await connect(pair.primary);
    });
    after(async () => {
      await redis?.close();
      await pair?.stop();
    });

    it('the topology check warns about a primary with replicas and no durability, and about too few replicas for it', async () => {
      const warnings: string[] = [];
      createRedisReplayStore({ client: redis.client as never, warn: (message) => warnings.push(message) });
      await until(async () => warnings.length > 0, 'a topology warning');
      assert.match(
        warnings[0] as string,
        /replay store: Redis is a primary with 1 replica\(s\) and the store has no durability setting/,
      );

      const durableWarnings: string[] = [];
      const store = createRedisMigrationStore({
        client: redis.client as never,
        durability: { replicas: 2, timeoutMs: 50 },
        warn: (message) => durableWarnings.push(message),
      });
      await until(async () => durableWarnings.length > 0, 'a topology warning');
      assert.match(
        durableWarnings[0] as string,
        /migration store: .*asks 2 replica\(s\) .* but the primary has 1 connected/,
      );
      store.close();
    });

    it('the topology check warns about a store on a replica, whose writes are refused (503)', async () => {
      const onReplica = await connect(pair.replica);
      try {
        const warnings: string[] = [];
        const store = createRedisReplayStore({
          client: onReplica.client as never,
          warn: (message) => warnings.push(message),
        });
        await until(async () => warnings.length > 0, 'a topology warning');
        assert.match(
          warnings[0] as string,
          /replay store: Redis is a replica \(of 127\.0\.0\.1:\d+\): it refuses every write \(READONLY\)/,
        );
        const now = Date.now();
        await refusedAsUnavailable(store.addIfAbsent('on-a-replica', now + 60_000, now, now), /READONLY/);
      } finally {
        await onReplica.close();
      }
    });

    it('durability and topologyCheck options are checked when the store is created', () => {
      const client = redis.client as never;
      for (const durability of [
        null,
        1,
        {},
        { replicas: 0, timeoutMs: 10 },
        { replicas: 1 },
        { replicas: 1, timeoutMs: 1.5 },
        { replicas: 1, timeoutMs: 10, connections: 0 },
      ]) {
        assert.throws(() => createRedisReplayStore({ client, durability: durability as never }), {
          name: 'TypeError',
          message: /createRedisReplayStore: durability/,
        });
        assert.throws(() => createRedisMigrationStore({ client, durability: durability as never }), {
          name: 'TypeError',
          message: /createRedisMigrationStore: durability/,
        });
      }
      assert.throws(() => createRedisReplayStore({ client, topologyCheck: 'refuse' as never }), {
        name: 'TypeError',
        message: /topologyCheck must be 'warn' or 'off'/,
      });
    });

    it('with durability, an accepted nonce is on the replica when the store answers', async () => {
      const keyPrefix = `durable${++prefixes}:`;
      const store = createRedisReplayStore({ client: redis.client as never, keyPrefix, durability });
      try {
        const now = Date.now();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.addIfAbsent(`n-${i}`, now + 60_000, now, now)),
        );
        assert.deepEqual(new Set(results), new Set([true]));
        assert.equal(await store.addIfAbsent('n-3', now + 60_000, now, now), false);
        for (let i = 0; i < 20; i++) {
          assert.equal(await look(pair.replica, ['GET', nonceKey(keyPrefix, `n-${i}`)]), '1');
        }
      } finally {
        store.close();
      }
    });

    it('with durability and the link cut, a new nonce is refused (503); a replay is still a replay', async () => {
      const keyPrefix = `cut${++prefixes}:`;
      const store = createRedisReplayStore({ client: redis.client as never, keyPrefix, durability });
      try {
        const now = Date.now();
        assert.equal(await store.addIfAbsent('before', now + 60_000, now, now), true);
        pair.link.cut();
        await refusedAsUnavailable(
          store.addIfAbsent('during', now + 60_000, now, now),
          /acknowledged by 0 of 1 replicas within 200 ms \(durability\)/,
        );
        assert.equal(await store.addIfAbsent('before', now + 60_000, now, now), false);
      } finally {
        pair.link.restore();
        store.close();
        await pair.inSync();
      }
    });

    it("the store's own connections for durable writes close with the user's client", async () => {
      // Normal clients of the primary, but the connection that lists them (and the replica's link).
      const countClients = async () =>
        String(await look(pair.primary, ['CLIENT', 'LIST']))
          .split('\n')
          .filter((line) => line.includes('flags=N') && !line.includes('cmd=client|list')).length;
      const alone = await countClients();
      const own = await connect(pair.primary);
      const store = createRedisReplayStore({
        client: own.client as never,
        keyPrefix: `own${++prefixes}:`,
        durability: { ...durability, connections: 2 },
        topologyCheck: 'off',
      });
      const now = Date.now();
      // Four writes round-robin over a pool of two: both connections opened.
      for (let i = 0; i < 4; i++) assert.equal(await store.addIfAbsent(`c-${i}`, now + 60_000, now, now), true);
      assert.equal(await countClients(), alone + 3);
      await own.close();
      await until(async () => (await countClients()) === alone, 'every connection of the store closed');
      // The user's client is closed: durable writes are refused and open nothing.
      await refusedAsUnavailable(store.addIfAbsent('after-close', now + 60_000, now, now), /not connected/);
      assert.equal(await countClients(), alone);
    });

    it('durable writes come back by themselves after the primary restarts (503 meanwhile)', async () => {
      const store = createRedisReplayStore({
        client: redis.client as never,
        keyPrefix: `restart${++prefixes}:`,
        durability,
        topologyCheck: 'off',
      });
      try {
        const now = Date.now();
        assert.equal(await store.addIfAbsent('before', now + 60_000, now, now), true);
        await pair.primary.stop();
        await refusedAsUnavailable(store.addIfAbsent('during', now + 60_000, now, now));
        await pair.primary.start();
        await pair.inSync();
        assert.equal(await retryWhileRefused(() => store.addIfAbsent('after', now + 60_000, now, now)), true);
        // Every connection of the pool is used again (round robin over the default 4).
        for (let i = 0; i < 8; i++) assert.equal(await store.addIfAbsent(`after-${i}`, now + 60_000, now, now), true);
      } finally {
        store.close();
      }
    });

    it('the migration store with durability: updates reach the replica, and are refused (503) with the link cut', async () => {
      const store = createRedisMigrationStore({
        client: redis.client as never,
        keyPrefix: `m${++prefixes}:`,
        durability,
      });
      try {
        const record = await store.recordUse({ id: 'spiffe://a/b', proof: 'http-signature', route: 'r', atMs: 1000 });
        assert.equal(record.ratchetedAtMs, 1000);
        const onReplica = await look(pair.replica, ['HGET', `m${prefixes}:{migration}:records`, 'spiffe://a/b']);
        assert.match(String(onReplica), /"t":1000/);
        pair.link.cut();
        await refusedAsUnavailable(
          store.recordUse({ id: 'spiffe://a/c', proof: 'wpt', route: 'r', atMs: 2000 }),
          /migration store: the write was acknowledged by 0 of 1 replicas/,
        );
        await refusedAsUnavailable(store.reset('spiffe://a/b'), /acknowledged by 0 of 1/);
      } finally {
        pair.link.restore();
        store.close();
        await pair.inSync();
      }
    });
  });

  describe(`durability through a real Express server (${connect.name})`, { timeout: 60_000 }, () => {
    let pair: ReplicatedPair;
    let redis: TestClient;
    before(async () => {
      pair = await startReplicatedPair();
      redis = await connect(pair.primary);
    });
    after(async () => {
      await redis?.close();
      await pair?.stop();
    });

    it('a request that cannot be made durable is a 503 problem, audited and counted as a deny with code unavailable', async () => {
      const scenario = await createScenario();
      const events: AuditEvent[] = [];
      const store = createRedisReplayStore({ client: redis.client as never, durability, topologyCheck: 'off' });
      // A real OpenTelemetry SDK pipeline: the refusal must reach the decisions counter too.
      const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
      const meterProvider = new MeterProvider({ readers: [reader] });
      const server = await expressHarness.createServer({
        verifier: { ...scenario.options, replayStore: store, replayStoreTimeoutMs: 2000 },
        audit: (event) => events.push(event),
        metrics: { meterProvider },
        bodyParser: 'none',
        parserPosition: 'after',
      });
      try {
        assert.equal((await send(server, await signed(scenario))).status, 200);
        pair.link.cut();
        const refused = await signed(scenario);
        const response = await send(server, refused);
        expectProblem(response, 503, 'unavailable');
        assert.equal(response.headers['retry-after'], '1');
        const audited = events.at(-1);
        assert.equal(audited?.decision, 'deny');
        assert.equal(audited?.code, 'unavailable');
        await reader.forceFlush();
        const decisions =
          exporter
            .getMetrics()
            .at(-1)
            ?.scopeMetrics.flatMap((scope) => scope.metrics)
            .find((metric) => metric.descriptor.name === 'wimse.pep.decisions')?.dataPoints ?? [];
        const unavailable = decisions.filter(
          (point) => point.attributes['wimse.outcome'] === 'deny' && point.attributes['wimse.code'] === 'unavailable',
        );
        assert.equal(
          unavailable.reduce((sum, point) => sum + Number(point.value), 0),
          1,
          'one refusal counted as unavailable',
        );
        pair.link.restore();
        await pair.inSync();
        // The refused request was never accepted, and is not accepted now either: the caller signs again.
        assert.notEqual((await send(server, refused)).status, 200);
        assert.equal((await send(server, await signed(scenario))).status, 200);
      } finally {
        pair.link.restore();
        store.close();
        await meterProvider.shutdown();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  for (const durable of [false, true]) {
    describe(`failover (${connect.name}, durability ${durable ? 'on' : 'off'})`, { timeout: 60_000 }, () => {
      let pair: ReplicatedPair;
      before(async () => {
        pair = await startReplicatedPair();
      });
      after(async () => {
        await pair?.stop();
      });

      it(
        durable
          ? 'the nonce that could not be made durable was refused (503): nothing is accepted twice across the failover'
          : 'without durability, a nonce accepted during a cut link is gone after the failover and its replay is accepted (the window)',
        async () => {
          const keyPrefix = 'wimse:nonce:';
          const accepted = new Map<string, number>();
          const attempt = async (store: ReturnType<typeof createRedisReplayStore>, nonce: string) => {
            const now = Date.now();
            const fresh = await store.addIfAbsent(nonce, now + 300_000, now, now);
            if (fresh) accepted.set(nonce, (accepted.get(nonce) ?? 0) + 1);
            return fresh;
          };
          const onPrimary = await connect(pair.primary);
          const before = createRedisReplayStore({
            client: onPrimary.client as never,
            ...(durable ? { durability } : {}),
            topologyCheck: 'off',
          });
          assert.equal(await attempt(before, 'written-before-the-cut'), true);
          await until(
            async () => (await look(pair.replica, ['GET', nonceKey(keyPrefix, 'written-before-the-cut')])) === '1',
            'the first nonce on the replica',
          );
          pair.link.cut();
          if (durable) {
            await refusedAsUnavailable(attempt(before, 'written-during-the-cut'), /acknowledged by 0 of 1/);
          } else {
            assert.equal(await attempt(before, 'written-during-the-cut'), true);
          }
          // The primary did record it; its replica never heard of it.
          assert.equal(await look(pair.primary, ['GET', nonceKey(keyPrefix, 'written-during-the-cut')]), '1');
          before.close();
          await onPrimary.close();
          await pair.primary.stop();
          await pair.promote();

          const onPromoted = await connect(pair.replica);
          try {
            const after = createRedisReplayStore({ client: onPromoted.client as never, topologyCheck: 'off' });
            assert.equal(await attempt(after, 'written-before-the-cut'), false);
            // The same signed request again, now answered by the promoted replica.
            assert.equal(await attempt(after, 'written-during-the-cut'), true);
            assert.equal(accepted.get('written-before-the-cut'), 1);
            assert.equal(accepted.get('written-during-the-cut'), durable ? 1 : 2);
          } finally {
            await onPromoted.close();
          }
        },
      );
    });
  }

  describe(`min-replicas-to-write on the primary (${connect.name})`, { timeout: 60_000 }, () => {
    let pair: ReplicatedPair;
    let redis: TestClient;
    before(async () => {
      pair = await startReplicatedPair(['--min-replicas-to-write', '1', '--min-replicas-max-lag', '1']);
      redis = await connect(pair.primary);
    });
    after(async () => {
      pair?.replica.resume();
      await redis?.close();
      await pair?.stop();
    });

    it('with the replica stopped, after the lag window: NOREPLICAS is a 503, never fresh, never a replay', async () => {
      const keyPrefix = `noreplicas${++prefixes}:`;
      const store = createRedisReplayStore({ client: redis.client as never, keyPrefix, topologyCheck: 'off' });
      const now = Date.now();
      assert.equal(await store.addIfAbsent('recorded', now + 60_000, now, now), true);
      pair.replica.pause();
      // Writes are still accepted inside the lag window; wait for the first refusal.
      let attempts = 0;
      await until(async () => {
        try {
          await store.addIfAbsent(`probe-${attempts++}`, now + 60_000, now, now);
          return false;
        } catch {
          return true;
        }
      }, 'NOREPLICAS');
      const fresh = 'never-recorded';
      await refusedAsUnavailable(store.addIfAbsent(fresh, now + 60_000, now, now), /NOREPLICAS/);
      // An already recorded nonce is not called a replay either: Redis refuses the write itself.
      await refusedAsUnavailable(store.addIfAbsent('recorded', now + 60_000, now, now), /NOREPLICAS/);
      assert.equal(await look(pair.primary, ['GET', nonceKey(keyPrefix, fresh)]), null);
    });
  });
}
