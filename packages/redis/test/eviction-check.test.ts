import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { checkRedisEviction } from '@wimse-pep/redis';
import { type RedisServer, startRedisServer } from '../../../test/support/redis-server.js';
import { clientFactories, type TestClient } from './support/clients.js';

for (const connect of clientFactories) {
  describe(`checkRedisEviction against real servers (${connect.name})`, () => {
    const opened: { server: RedisServer; redis: TestClient }[] = [];
    const serverWith = async (args: string[]) => {
      const server = await startRedisServer({ args });
      const redis = await connect(server);
      opened.push({ server, redis });
      return redis;
    };
    after(async () => {
      for (const { server, redis } of opened) {
        await redis.close();
        await server.stop();
      }
    });

    it('noeviction: safe, nothing said', async () => {
      const redis = await serverWith(['--maxmemory-policy', 'noeviction']);
      const warnings: string[] = [];
      const check = await checkRedisEviction(redis.client as never, { warn: (m) => warnings.push(m) });
      assert.deepEqual(check, { policy: 'noeviction', safe: true });
      assert.deepEqual(warnings, []);
      assert.deepEqual(await checkRedisEviction(redis.client as never, { onRisk: 'refuse' }), check);
    });

    it('an evicting policy (volatile-lru evicts TTL keys: every nonce): warns, or refuses by option', async () => {
      const redis = await serverWith(['--maxmemory-policy', 'volatile-lru']);
      const warnings: string[] = [];
      const check = await checkRedisEviction(redis.client as never, { warn: (m) => warnings.push(m) });
      assert.deepEqual(check, { policy: 'volatile-lru', safe: false });
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] as string, /volatile-lru.*noeviction/);
      await assert.rejects(checkRedisEviction(redis.client as never, { onRisk: 'refuse' }), /volatile-lru/);
    });

    it('CONFIG disabled (as on managed services): warns that the policy is unknown, refuses by option', async () => {
      const redis = await serverWith(['--rename-command', 'CONFIG', '']);
      const warnings: string[] = [];
      const check = await checkRedisEviction(redis.client as never, { warn: (m) => warnings.push(m) });
      assert.deepEqual(check, { policy: undefined, safe: false });
      assert.match(warnings[0] as string, /could not read.*skip this check/);
      await assert.rejects(checkRedisEviction(redis.client as never, { onRisk: 'refuse' }), /maxmemory-policy/);
    });

    it('validates onRisk', async () => {
      await assert.rejects(
        checkRedisEviction({} as never, { onRisk: 'maybe' as never }),
        (error: unknown) => error instanceof TypeError && error.message.includes('onRisk'),
      );
    });
  });
}
