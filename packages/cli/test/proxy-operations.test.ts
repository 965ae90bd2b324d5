import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch } from '@wimse-pep/client';
import {
  type Echoed,
  fieldValues,
  freePort,
  type RunningSidecar,
  startEchoUpstream,
  startSidecar,
} from './proxy/processes.js';
import { rawExchange } from './proxy/raw-exchange.js';
import { CALLER, createSidecarWorld, type SidecarWorld, sidecarConfig } from './proxy/sidecar-fixture.js';

const LIMIT = 64;
let world: SidecarWorld;
let sidecar: RunningSidecar;
let port: number;

async function configFor(name: string, change: (config: Record<string, unknown>) => void): Promise<string> {
  const { config } = await sidecarConfig(world);
  change(config as Record<string, unknown>);
  return world.writeConfig(name, config);
}

before(async () => {
  world = await createSidecarWorld();
  const prepared = await sidecarConfig(world);
  port = prepared.port;
  const config = { ...prepared.config, limits: { bodyBytes: LIMIT } };
  sidecar = await startSidecar(['--config', world.writeConfig('ops.yaml', config)], {
    SIDECAR_KEY_PEM: readFileSync(world.file('sidecar.pem'), 'utf8'),
  });
});
after(async () => {
  await sidecar?.stop();
  await world?.close();
});

const sidecarKey = () => ({ SIDECAR_KEY_PEM: readFileSync(world.file('sidecar.pem'), 'utf8') });

describe('wimse-pep proxy in production: limits, keep-alive, health, shutdown', () => {
  it('requests reach the upstream over one kept-alive connection', async () => {
    const first = (await (await fetch(`${sidecar.url}/public/1`)).json()) as Echoed;
    const second = (await (await fetch(`${sidecar.url}/public/2`)).json()) as Echoed;
    assert.equal(second.peer, first.peer);
  });

  it('a declared body over limits.bodyBytes: 413 body_too_large, not forwarded', async () => {
    const before = await world.upstream.count();
    const response = await fetch(`${sidecar.url}/public/upload`, { method: 'POST', body: 'x'.repeat(LIMIT + 1) });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { code: string }).code, 'body_too_large');
    assert.equal(await world.upstream.count(), before);
  });

  it('a chunked body that grows over the limit while it streams: 413', async () => {
    const chunk = 'y'.repeat(40);
    const answer = await rawExchange(
      port,
      `POST /public/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n28\r\n${chunk}\r\n28\r\n${chunk}\r\n0\r\n\r\n`,
    );
    assert.equal(answer.status, 413, answer.text);
  });

  it('a signed body over the limit: 413 from the verifier, not forwarded', async () => {
    const before = await world.upstream.count();
    const response = await createWimseFetch({ credentials: world.caller })(`${sidecar.url}/orders`, {
      method: 'POST',
      body: 'z'.repeat(LIMIT + 1),
    });
    assert.equal(response.status, 413);
    assert.equal(await world.upstream.count(), before);
  });

  it('a body within the limit streams through', async () => {
    const seen = (await (
      await fetch(`${sidecar.url}/public/upload`, { method: 'POST', body: 'ok'.repeat(LIMIT / 2) })
    ).json()) as Echoed;
    assert.equal(Buffer.from(seen.body, 'base64').toString(), 'ok'.repeat(LIMIT / 2));
  });

  it('/healthz and /readyz are answered by the sidecar, never forwarded', async () => {
    const before = await world.upstream.count();
    assert.equal((await fetch(`${sidecar.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${sidecar.url}/readyz`)).status, 200);
    assert.equal(await world.upstream.count(), before);
  });

  it('/readyz is 503 while an issuer key set cannot be fetched; /healthz stays 200', async () => {
    const closed = await freePort();
    const path = await configFor('no-keys.yaml', (c) => {
      const verifier = c.verifier as { trustDomains: { issuers: { jwksUri: string }[] }[] };
      (verifier.trustDomains[0]?.issuers[0] as { jwksUri: string }).jwksUri = `http://127.0.0.1:${closed}/jwks.json`;
    });
    const other = await startSidecar(['--config', path], sidecarKey());
    try {
      assert.equal((await fetch(`${other.url}/readyz`)).status, 503);
      assert.equal((await fetch(`${other.url}/healthz`)).status, 200);
    } finally {
      await other.stop();
    }
  });

  it('an upstream that is not there: 502 upstream_unreachable', async () => {
    const absent = await freePort();
    const path = await configFor('absent.yaml', (c) => (c.upstream = { url: `http://127.0.0.1:${absent}` }));
    const other = await startSidecar(['--config', path], sidecarKey());
    try {
      const response = await fetch(`${other.url}/public/x`);
      assert.equal(response.status, 502);
      assert.equal(((await response.json()) as { code: string }).code, 'upstream_unreachable');
    } finally {
      await other.stop();
    }
  });

  it('--upstream replaces the upstream of the file', async () => {
    const absent = await freePort();
    const path = await configFor('override.yaml', (c) => (c.upstream = { url: `http://127.0.0.1:${absent}` }));
    const other = await startSidecar(['--config', path, '--upstream', world.upstream.origin], sidecarKey());
    try {
      const response = await fetch(`${other.url}/public/override`);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as Echoed).target, '/public/override');
    } finally {
      await other.stop();
    }
  });

  it('an upstream that does not answer within upstream.timeoutMs: 503 upstream_timeout with Retry-After', async () => {
    const path = await configFor('slow.yaml', (c) => (c.upstream = { url: world.upstream.origin, timeoutMs: 100 }));
    const other = await startSidecar(['--config', path], sidecarKey());
    try {
      const response = await fetch(`${other.url}/public/slow`);
      assert.equal(response.status, 503);
      assert.equal(((await response.json()) as { code: string }).code, 'upstream_timeout');
      assert.equal(response.headers.get('retry-after'), '1');
    } finally {
      await other.stop();
    }
  });

  it('an upstream on a unix socket, credentials kept: both the identity and the verified proof reach it', async () => {
    const socketPath = world.file('app.sock');
    const onSocket = await startEchoUpstream(socketPath);
    const path = await configFor('socket.yaml', (c) => {
      c.upstream = { socket: socketPath };
      (c.identity as { credentials: string }).credentials = 'keep';
    });
    const other = await startSidecar(['--config', path], sidecarKey());
    try {
      assert.doesNotMatch(other.stderr(), /warning/, 'a unix socket is a private path: no warning');
      const response = await createWimseFetch({ credentials: world.caller })(`${other.url}/orders/s`);
      assert.equal(response.status, 200);
      const seen = (await response.json()) as Echoed;
      assert.equal(seen.target, '/orders/s');
      assert.deepEqual(fieldValues(seen, 'wimse-workload-id'), [CALLER]);
      assert.deepEqual(fieldValues(seen, 'workload-identity-token'), [world.caller.wit]);
      assert.equal(fieldValues(seen, 'signature').length, 1);
    } finally {
      await other.stop();
      await onSocket.stop();
    }
  });

  it("the middleware's OpenTelemetry metrics, from the operator's global meter provider", async () => {
    const out = world.file('metrics.jsonl');
    writeFileSync(out, '');
    const path = await configFor('metrics.yaml', () => {});
    const other = await startSidecar(['--config', path], {
      ...sidecarKey(),
      NODE_OPTIONS: `--import ${new URL('./proxy/otel-preload.mjs', import.meta.url).pathname}`,
      OTEL_TEST_OUT: out,
    });
    try {
      assert.equal((await createWimseFetch({ credentials: world.caller })(`${other.url}/orders/m`)).status, 200);
      assert.equal((await fetch(`${other.url}/orders/m`)).status, 401);
      type Point = { name: string; attributes: Record<string, string>; value: number };
      let points: Point[] = [];
      const decided = (outcome: string) =>
        points.some((p) => p.name === 'wimse.pep.decisions' && p.attributes['wimse.outcome'] === outcome);
      // The reader exports every 100 ms: wait for both decisions to be exported.
      const both = () => decided('allow') && points.some((p) => p.attributes['wimse.code'] === 'credentials_missing');
      // Bounded: a sidecar that never exports fails the test instead of hanging it.
      for (let attempt = 0; attempt < 100 && !both(); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        points = readFileSync(out, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Point);
      }
      assert.ok(both(), 'both decisions were exported');
      const accepted = points.find(
        (p) => p.name === 'wimse.pep.decisions' && p.attributes['wimse.outcome'] === 'allow',
      );
      assert.equal(accepted?.attributes['wimse.proof'], 'http-signature');
      assert.ok(points.some((p) => p.name === 'wimse.pep.authentication.duration'));
    } finally {
      await other.stop();
    }
  });

  it('SIGTERM: the request in flight finishes, then the process exits 0 and listens no more', async () => {
    const path = await configFor('graceful.yaml', () => {});
    const other = await startSidecar(['--config', path], sidecarKey());
    const before = await world.upstream.count();
    const inFlight = fetch(`${other.url}/public/slow/graceful`);
    // Once the upstream holds the request, stop the sidecar.
    while ((await world.upstream.count()) === before) await new Promise((resolve) => setTimeout(resolve, 20));
    const exited = once(other.child, 'exit');
    other.child.kill('SIGTERM');
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as Echoed).target, '/public/slow/graceful');
    const [code] = await exited;
    assert.equal(code, 0);
    await assert.rejects(fetch(`${other.url}/healthz`));
    assert.match(other.stdout(), /shutting down, finishing requests in flight/);
  });
});
