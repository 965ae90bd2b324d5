import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createVerifier, type WimseError } from '@wimse-pep/core';
import { createRedisReplayStore } from '@wimse-pep/redis';
import { createScenario, NOW_SEC, type Scenario, signCustom } from '../../../test/support/index.js';
import { type RedisServer, startRedisServer } from '../../../test/support/redis-server.js';
import { clientFactories, type TestClient } from './support/clients.js';
import { refusedAsUnavailable } from './support/refused-as-unavailable.js';
import { retryWhileRefused } from './support/retry-while-refused.js';

const digest = (nonce: string) => createHash('sha256').update(nonce).digest('base64url');

let scenario: Scenario;
before(async () => {
  scenario = await createScenario();
});

for (const connect of clientFactories) {
  describe(`Redis replay store over a real redis-server (${connect.name})`, () => {
    let server: RedisServer;
    let redis: TestClient;
    let prefixes = 0;
    const freshStore = (options: { timeoutMs?: number; evictionCheck?: 'off' } = {}) => {
      const keyPrefix = `test${++prefixes}:nonce:`;
      return { keyPrefix, store: createRedisReplayStore({ client: redis.client as never, keyPrefix, ...options }) };
    };

    before(async () => {
      server = await startRedisServer();
      redis = await connect(server);
    });
    after(async () => {
      await redis?.close();
      await server?.stop();
    });

    it('records a nonce once; the duplicate is refused', async () => {
      const { store } = freshStore();
      const now = Date.now();
      assert.equal(await store.addIfAbsent('n-1', now + 60_000, now, now), true);
      assert.equal(await store.addIfAbsent('n-1', now + 60_000, now, now), false);
      assert.equal(await store.addIfAbsent('n-2', now + 60_000, now, now), true);
    });

    it('100 concurrent copies of one nonce: exactly one acceptance', async () => {
      const { store } = freshStore();
      const now = Date.now();
      const results = await Promise.all(
        Array.from({ length: 100 }, () => store.addIfAbsent('same-nonce', now + 60_000, now, now)),
      );
      assert.equal(results.filter((fresh) => fresh === true).length, 1);
      assert.equal(results.filter((fresh) => fresh === false).length, 99);
    });

    it('stores the SHA-256 of the nonce under the prefix, never the nonce itself', async () => {
      const { store, keyPrefix } = freshStore();
      const now = Date.now();
      const nonce = 'attacker chosen\r\nSET x y';
      await store.addIfAbsent(nonce, now + 60_000, now, now);
      assert.deepEqual(await redis.command(['KEYS', `${keyPrefix}*`]), [`${keyPrefix}${digest(nonce)}`]);
    });

    it("TTL comes from the verifier's clock, not Redis's (PTTL, no sleeping)", async () => {
      const { store, keyPrefix } = freshStore();
      // A verifier clock one year ahead of the machine: Redis's clock would give a different TTL.
      const verifierNow = Date.now() + 365 * 86_400_000;
      await store.addIfAbsent('ttl-nonce', verifierNow + 45_000, verifierNow, verifierNow);
      const pttl = Number(await redis.command(['PTTL', `${keyPrefix}${digest('ttl-nonce')}`]));
      assert.ok(pttl > 40_000 && pttl <= 45_000, `PTTL ${pttl}`);
    });

    it('through the verifier: kept for expires + tolerance from the verifier clock (fixed in the past)', async () => {
      const { store, keyPrefix } = freshStore();
      const verifier = createVerifier({ ...scenario.options, replayStore: store });
      const request = await signCustom(scenario, {}, { params: { nonce: 'verifier-nonce', expires: NOW_SEC + 30 } });
      assert.ok(await verifier.verify(request));
      // expires (NOW + 30 s) + 60 s tolerance - the verifier's now (NOW): 90 s, although the
      // machine's clock is days past NOW and would make that window long gone.
      // The verifier's key for an HTTP-signature nonce is tagged with its kind: `sig:<nonce>`.
      const pttl = Number(await redis.command(['PTTL', `${keyPrefix}${digest('sig:verifier-nonce')}`]));
      assert.ok(pttl > 85_000 && pttl <= 90_000, `PTTL ${pttl}`);
      await assert.rejects(verifier.verify(request), (error: unknown) => (error as WimseError).code === 'replay');
    });

    it('a replica sharing Redis refuses the replay (two verifiers, two stores, one server)', async () => {
      const keyPrefix = `shared${++prefixes}:`;
      const replicaA = createVerifier({
        ...scenario.options,
        replayStore: createRedisReplayStore({ client: redis.client as never, keyPrefix }),
      });
      const replicaB = createVerifier({
        ...scenario.options,
        replayStore: createRedisReplayStore({ client: redis.client as never, keyPrefix }),
      });
      const request = await signCustom(scenario);
      assert.ok(await replicaA.verify(request));
      await assert.rejects(replicaB.verify(request), (error: unknown) => (error as WimseError).code === 'replay');
    });

    it('a Redis that stops answering (frozen) is 503 within the timeout, then answers again', async () => {
      // The outage starts as the store is created: its own eviction check would time out and warn.
      const { store } = freshStore({ timeoutMs: 100, evictionCheck: 'off' });
      const now = Date.now();
      server.pause();
      try {
        const error = await refusedAsUnavailable(store.addIfAbsent('frozen-1', now + 60_000, now, now));
        assert.match(error.message, /100 ms/);
      } finally {
        server.resume();
      }
      assert.equal(await retryWhileRefused(() => store.addIfAbsent('frozen-2', now + 60_000, now, now)), true);
    });

    it('server stopped mid-run: 503 with Retry-After, then recovery after restart without a new store', async () => {
      const { store } = freshStore({ timeoutMs: 200, evictionCheck: 'off' });
      const now = Date.now();
      assert.equal(await store.addIfAbsent('before-outage', now + 60_000, now, now), true);
      await server.stop();
      for (let i = 0; i < 5; i++)
        await refusedAsUnavailable(store.addIfAbsent(`during-outage-${i}`, now + 60_000, now, now));
      await server.start();
      // The same store, the same client: it reconnects by itself.
      assert.equal(await retryWhileRefused(() => store.addIfAbsent('after-outage', now + 60_000, now, now)), true);
      // The server restarted empty (no persistence): the new nonce is remembered from now on.
      assert.equal(await store.addIfAbsent('after-outage', now + 60_000, now, now), false);
    });

    it('validates its options once, naming the field', () => {
      assert.throws(() => createRedisReplayStore({ client: {} as never }), TypeError);
      assert.throws(() => createRedisReplayStore({ client: redis.client as never, timeoutMs: 0 }), /timeoutMs/);
      assert.throws(() => createRedisReplayStore({ client: redis.client as never, keyPrefix: 'a b' }), /keyPrefix/);
    });
  });
}
