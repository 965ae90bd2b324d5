import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import { type RedisServer, startRedisServer } from '../../../test/support/redis-server.js';
import { freePort, type RunningSidecar, startSidecar } from './proxy/processes.js';
import { createSidecarWorld, type SidecarWorld, TD } from './proxy/sidecar-fixture.js';

/** Both replicas answer as one service: the origin a load balancer would give them. */
const AUDIENCE = 'https://orders.proxy.example';

let world: SidecarWorld;
let redis: RedisServer;
const replicas: RunningSidecar[] = [];

before(async () => {
  world = await createSidecarWorld();
  redis = await startRedisServer();
  for (const name of ['a', 'b']) {
    const port = await freePort();
    const config = world.writeConfig(`replica-${name}.yaml`, {
      listen: { host: '127.0.0.1', port },
      upstream: { url: world.upstream.origin },
      verifier: {
        trustDomains: [{ trustDomain: TD, issuers: [{ issuer: world.issuer.issuer, jwksUri: world.issuer.jwksUri }] }],
        audiences: [AUDIENCE],
      },
      // The Redis URL is a secret: from the environment, never in the file.
      replayStore: { type: 'redis', url: { env: 'PEP_REDIS_URL' }, evictionCheck: 'refuse' },
      routes: [{ path: '/' }],
    });
    replicas.push(await startSidecar(['--config', config], { PEP_REDIS_URL: redis.url }));
  }
});
after(async () => {
  for (const replica of replicas) await replica.stop();
  await redis?.stop();
  await world?.close();
});

async function signed(path: string, body?: string) {
  return signRequest(
    { method: body === undefined ? 'GET' : 'POST', url: `${AUDIENCE}${path}`, headers: {}, body },
    world.caller,
  );
}

function send(replica: RunningSidecar, path: string, request: Awaited<ReturnType<typeof signed>>, method = 'GET') {
  return fetch(`${replica.url}${path}`, {
    method,
    headers: request.headers,
    body: request.body as RequestInit['body'],
  });
}

describe('wimse-pep proxy: two replicas on one redis-server', () => {
  it('both are ready once their store answers', async () => {
    for (const replica of replicas) {
      const response = await fetch(`${replica.url}/readyz`);
      assert.equal(response.status, 200, await response.text());
    }
  });

  it('a request accepted by one replica and replayed to the other is refused there, never forwarded', async () => {
    const [a, b] = replicas as [RunningSidecar, RunningSidecar];
    const request = await signed('/orders/1', '{"n":1}');
    const first = await send(a, '/orders/1', request, 'POST');
    assert.equal(first.status, 200, await first.text());
    const before = await world.upstream.count();
    const replayed = await send(b, '/orders/1', request, 'POST');
    assert.equal(replayed.status, 400);
    assert.equal(((await replayed.json()) as { code: string }).code, 'replay');
    assert.equal(await world.upstream.count(), before);
  });

  it('the other way round too, with a fresh request', async () => {
    const [a, b] = replicas as [RunningSidecar, RunningSidecar];
    const request = await signed('/orders/2');
    assert.equal((await send(b, '/orders/2', request)).status, 200);
    const replayed = await send(a, '/orders/2', request);
    assert.equal(((await replayed.json()) as { code: string }).code, 'replay');
  });

  it('Redis down: not ready, and requests fail closed with 503 unavailable, never forwarded', async () => {
    const [a] = replicas as [RunningSidecar];
    redis.pause();
    try {
      const before = await world.upstream.count();
      const response = await send(a, '/orders/3', await signed('/orders/3'));
      assert.equal(response.status, 503, await response.clone().text());
      assert.equal(((await response.json()) as { code: string }).code, 'unavailable');
      assert.ok(response.headers.get('retry-after'));
      assert.equal(await world.upstream.count(), before);
      assert.equal((await fetch(`${a.url}/readyz`)).status, 503);
      assert.equal((await fetch(`${a.url}/healthz`)).status, 200, 'alive, only not ready');
    } finally {
      redis.resume();
    }
    assert.equal((await fetch(`${a.url}/readyz`)).status, 200);
  });
});
