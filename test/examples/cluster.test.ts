/**
 * examples/cluster: two replicas (separate processes) sharing one real Redis behind a round-robin
 * proxy. Every signed request is sent through the proxy and, at the same time, straight to both
 * replicas: exactly one copy is accepted, every other copy is a replay, nothing is a 5xx.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import { CALLER_ID, generateTestKey, ISSUER, mintWit, TRUST_DOMAIN } from '../support/index.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';

const REQUESTS = 2000;
const IN_FLIGHT = 16;
const AUDIENCE = 'https://orders.cluster.example';
const root = new URL('../../', import.meta.url).pathname;
const children: ChildProcess[] = [];
let redis: RedisServer;
let replicas: string[] = [];
let proxy: string;

async function startExample(file: string, env: Record<string, string>): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--conditions=wimse-source', '--import', 'tsx', join(root, 'examples/cluster', file)],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as { listening?: number };
      if (parsed.listening) resolve(`http://127.0.0.1:${parsed.listening}`);
    });
  });
}

before(async () => {
  redis = await startRedisServer({ args: ['--maxmemory-policy', 'noeviction'] });
  const issuerKey = generateTestKey('ES256', 'issuer-1');
  const trustFile = join(tmpdir(), `wimse-cluster-trust-${process.pid}.json`);
  writeFileSync(
    trustFile,
    JSON.stringify({
      trustDomains: [
        {
          trustDomain: TRUST_DOMAIN,
          issuers: [{ issuer: ISSUER, jwks: { keys: [issuerKey.publicJwk] }, algorithms: ['ES256'] }],
        },
      ],
      audiences: [AUDIENCE],
    }),
  );
  // A generous Redis timeout: CI's two cores are shared; the fail-closed timeout has its own tests.
  const env = {
    REDIS_URL: redis.url,
    WIMSE_TRUST_FILE: trustFile,
    PORT: '0',
    REPLAY_TIMEOUT_MS: '5000',
    NODE_ENV: 'development',
  };
  replicas = await Promise.all(['a', 'b'].map((name) => startExample('replica.ts', { ...env, REPLICA: name })));
  proxy = await startExample('proxy.ts', { UPSTREAMS: replicas.join(','), PORT: '0' });
  Object.assign(fixture, { issuerKey });
});

after(async () => {
  for (const child of children) child.kill('SIGTERM');
  await redis?.stop();
});

const fixture: { issuerKey?: ReturnType<typeof generateTestKey> } = {};

describe('examples/cluster: two replicas, one Redis', () => {
  it(`${REQUESTS} signed requests, each also replayed to both replicas at once: one acceptance each, zero 5xx`, async () => {
    const workloadKey = generateTestKey('EdDSA');
    const nowSec = Math.floor(Date.now() / 1000);
    const wit = await mintWit({
      issuerKey: fixture.issuerKey as ReturnType<typeof generateTestKey>,
      kid: 'issuer-1',
      sub: CALLER_ID,
      cnfJwk: workloadKey.publicJwk,
      iat: nowSec - 60,
      exp: nowSec + 3600,
      iss: ISSUER,
    });
    const statuses = new Map<number, number>();
    const acceptedBy = new Map<string, number>();
    let requestsWithOneAcceptance = 0;
    let nextIndex = 0;

    const send = async (base: string, target: string, headers: Record<string, string>) => {
      const response = await fetch(`${base}${target}`, { headers });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 200) {
        const body = (await response.json()) as { replica: string };
        acceptedBy.set(body.replica, (acceptedBy.get(body.replica) ?? 0) + 1);
        return true;
      }
      const problem = (await response.json()) as { code?: string; detail?: string };
      assert.equal(response.status, 400, `unexpected ${response.status} ${problem.code}: ${problem.detail}`);
      assert.equal(problem.code, 'replay');
      return false;
    };

    const worker = async () => {
      for (let i = nextIndex++; i < REQUESTS; i = nextIndex++) {
        const target = `/orders/${i}`;
        const signed = await signRequest(
          { method: 'GET', url: `${AUDIENCE}${target}` },
          { wit, privateKey: workloadKey.privateKey },
        );
        const outcomes = await Promise.all([proxy, ...replicas].map((base) => send(base, target, signed.headers)));
        if (outcomes.filter(Boolean).length === 1) requestsWithOneAcceptance++;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

    assert.equal(requestsWithOneAcceptance, REQUESTS);
    assert.equal(statuses.get(200), REQUESTS);
    assert.equal(statuses.get(400), 2 * REQUESTS);
    assert.deepEqual([...statuses.keys()].sort(), [200, 400]);
    // Both replicas served accepted requests: the shared store, not one busy replica, decided.
    assert.ok((acceptedBy.get('a') ?? 0) > 0 && (acceptedBy.get('b') ?? 0) > 0, JSON.stringify([...acceptedBy]));
  });
});
