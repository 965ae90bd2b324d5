import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import { type RedisServer, startRedisServer } from '../../../test/support/redis-server.js';
import { freePort, type RunningSidecar, startSidecar } from './proxy/processes.js';
import { createSidecarWorld, type SidecarWorld, TD } from './proxy/sidecar-fixture.js';
import { runCli } from './support/run-cli.js';

const AUDIENCE = 'https://orders.workers.example';
let world: SidecarWorld;
let redis: RedisServer;
let sidecar: RunningSidecar;

function config(replayStore: object, port: number) {
  return {
    listen: { host: '127.0.0.1', port },
    upstream: { url: world.upstream.origin },
    verifier: {
      trustDomains: [{ trustDomain: TD, issuers: [{ issuer: world.issuer.issuer, jwksUri: world.issuer.jwksUri }] }],
      audiences: [AUDIENCE],
    },
    replayStore,
    routes: [{ path: '/' }],
  };
}

before(async () => {
  world = await createSidecarWorld();
  redis = await startRedisServer();
  const path = world.writeConfig('workers.yaml', config({ type: 'redis', url: { env: 'PEP_REDIS_URL' } }, 0));
  sidecar = await startSidecar(['--config', path, '--workers', '2'], { PEP_REDIS_URL: redis.url });
});
after(async () => {
  await sidecar?.stop();
  await redis?.stop();
  await world?.close();
});

/** One request on a connection of its own (no keep-alive), so the workers share them out. */
function send(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('wimse-pep proxy --workers N', () => {
  it('without a shared replay store: a usage error that says why', async () => {
    const path = world.writeConfig('memory.yaml', config({ type: 'memory' }, await freePort()));
    const result = await runCli(['proxy', '--config', path, '--workers', '2']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--workers needs a shared replay store \(replayStore\.type: redis\)/);
  });

  it('two worker processes on one port', () => {
    assert.match(sidecar.stdout(), /listening on http:\/\/127\.0\.0\.1:\d+ \(2 workers\)/);
    // The primary's child processes, from /proc (no procps needed).
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(sidecar.child.pid);
        } catch {
          return false; // a process that ended meanwhile
        }
      });
    assert.equal(children.length, 2);
  });

  it('one signed request sent on six connections: accepted once, whichever worker gets it', async () => {
    const signed = await signRequest({ method: 'GET', url: `${AUDIENCE}/orders/7`, headers: {} }, world.caller);
    const before = await world.upstream.count();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await send(`${sidecar.url}/orders/7`, signed.headers));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 400, 400, 400, 400, 400],
    );
    for (const answer of answers.slice(1)) assert.equal((JSON.parse(answer.body) as { code: string }).code, 'replay');
    assert.equal(await world.upstream.count(), before + 1);
  });

  it('SIGTERM to the primary: every worker finishes and the command exits 0', async () => {
    const code = await sidecar.stop('SIGTERM');
    assert.equal(code, 0, sidecar.stderr());
  });
});
