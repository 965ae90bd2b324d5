/**
 * The replay store under attack, through real Express servers (two replicas where it matters):
 * - keys of different proofs never collide: a signed request whose nonce is a victim's WPT key
 *   (as the store held it before keys were tagged per kind) does not burn the victim's WPT, with
 *   the memory store and with Redis shared by two replicas;
 * - one caller flooding the memory store is refused at its share while another is still served.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type AuditEvent, MemoryReplayStore, type ReplayStore } from '@wimse-pep/core';
import { Redis } from 'ioredis';
// The root workspace does not depend on @wimse-pep/redis: its sources, as the package exports them.
import { createRedisReplayStore } from '../../packages/redis/src/index.js';
import {
  CALLER_ID,
  createScenario,
  generateTestKey,
  type Scenario,
  witFor,
  wptWorkloadRequest,
} from '../support/index.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { expectOk, expectProblem, type Outgoing, send, signed } from './cases.js';
import expressHarness from './harness-express.js';

const ATTACKER_ID = 'wimse://td.example/service/attacker';
const OTHER_ID = 'wimse://td.example/service/other';

let scenario: Scenario;
/** Another workload of the same trust domain, with its own key and WIT: authenticated, and hostile. */
let attacker: Pick<Scenario, 'wit' | 'workloadKey'>;
let other: Pick<Scenario, 'wit' | 'workloadKey'>;
const servers: Server[] = [];

before(async () => {
  scenario = await createScenario();
  const attackerKey = generateTestKey('EdDSA');
  attacker = {
    wit: await witFor(scenario, { sub: ATTACKER_ID, cnfJwk: attackerKey.publicJwk }),
    workloadKey: attackerKey,
  };
  const otherKey = generateTestKey('EdDSA');
  other = { wit: await witFor(scenario, { sub: OTHER_ID, cnfJwk: otherKey.publicJwk }), workloadKey: otherKey };
});
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real Express server (the shared harness) whose verifier uses `replayStore`. */
async function replica(replayStore: ReplayStore, events: AuditEvent[]): Promise<Server> {
  const server = await expressHarness.createServer({
    verifier: { ...scenario.options, replayStore },
    audit: (event) => events.push(event),
    bodyParser: 'json',
    parserPosition: 'after',
  });
  servers.push(server);
  return server;
}

/** The victim's WPT, with a `jti` the attacker knows (or guessed) before the victim sends it. */
function victimWpt(jti: string): Outgoing {
  const request = wptWorkloadRequest(scenario, { claims: { jti } });
  return { method: 'GET', path: request.target, headers: request.headers };
}

/** The key the store kept for the victim's WPT before keys were tagged per kind: `wpt:` + digest of sender and jti. */
function oldLayoutWptKey(sender: string, jti: string): string {
  return `wpt:${createHash('sha256').update(`${sender}\n${jti}`).digest('base64url')}`;
}

/**
 * The attack: replica A accepts the attacker's signed request whose nonce is the victim's WPT key;
 * then the victim's fresh WPT goes to replica B. It must be accepted, and nobody audited as a replayer.
 */
async function attackThenVictim(replicaA: Server, replicaB: Server, events: AuditEvent[], jti: string) {
  const burner = await signed(attacker, {}, { nonce: oldLayoutWptKey(CALLER_ID, jti) });
  expectOk(await send(replicaA, burner), ATTACKER_ID);
  expectOk(await send(replicaB, victimWpt(jti)), CALLER_ID);
  assert.deepEqual(
    events.filter((event) => event.decision === 'deny').map((event) => [event.workloadId, event.code]),
    [],
  );
  // The store still works for both kinds: the same WPT again, and the attacker's request again, are replays.
  const replayed = await send(replicaA, victimWpt(jti));
  expectProblem(replayed, 401, 'wpt_replay');
  expectProblem(await send(replicaB, burner), 400, 'replay');
}

describe('replay keys of different proofs never collide (two Express replicas, one store)', () => {
  it('memory store shared by two verifiers: the victim’s WPT is still accepted after the attacker’s nonce', async () => {
    const events: AuditEvent[] = [];
    const store = new MemoryReplayStore({ now: scenario.options.now });
    await attackThenVictim(await replica(store, events), await replica(store, events), events, 'victim-jti-memory');
  });

  describe('Redis shared by two replicas (a real redis-server)', () => {
    let redisServer: RedisServer;
    let client: Redis;
    before(async () => {
      redisServer = await startRedisServer({ args: ['--maxmemory-policy', 'noeviction'] });
      client = new Redis(redisServer.port, '127.0.0.1', { retryStrategy: () => 50, maxRetriesPerRequest: 1 });
      client.on('error', () => {});
      // The runner refuses (503) while the client is still connecting: start from a ready client.
      if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    });
    after(async () => {
      client?.disconnect();
      await redisServer?.stop();
    });

    it('the victim’s WPT is still accepted after the attacker’s nonce', async () => {
      const events: AuditEvent[] = [];
      // Each replica its own store object, over the one Redis.
      // A generous timeout: this test is about the keys, and a loaded CI machine must not turn it into a 503.
      const storeFor = () => createRedisReplayStore({ client, keyPrefix: '{wimse}:nonce:', timeoutMs: 5000 });
      await attackThenVictim(
        await replica(storeFor(), events),
        await replica(storeFor(), events),
        events,
        'victim-jti-redis',
      );
    });
  });
});

describe('a fair share of the memory store per caller (a real Express server)', () => {
  it('a caller flooding to its share is refused (503 replay_capacity, Retry-After); another caller is still served', async () => {
    const events: AuditEvent[] = [];
    // 8 live nonces at most; by default each caller may hold half: 4.
    const server = await replica(new MemoryReplayStore({ max: 8, now: scenario.options.now }), events);
    let accepted = 0;
    let refusal: Awaited<ReturnType<typeof send>> | undefined;
    for (let i = 0; i < 9 && refusal === undefined; i++) {
      const response = await send(server, await signed(scenario));
      if (response.status === 200) accepted++;
      else refusal = response;
    }
    assert.ok(refusal, 'the flooding caller was never refused');
    expectProblem(refusal, 503, 'replay_capacity');
    assert.ok(Number(refusal.headers['retry-after']) >= 1);
    assert.equal(accepted, 4);
    // The flooder filled its share first; the other caller is still served, up to its own share.
    for (let i = 0; i < 4; i++) expectOk(await send(server, await signed(other)), OTHER_ID);
    expectProblem(await send(server, await signed(other)), 503, 'replay_capacity');
    // The flooder is still refused; each refusal is audited as a deny with that code.
    expectProblem(await send(server, await signed(scenario)), 503, 'replay_capacity');
    assert.equal(events.filter((event) => event.decision === 'deny' && event.code === 'replay_capacity').length, 3);
  });
});
