/**
 * The replay store on replicated Redis: a primary with two replicas (real redis-servers, local),
 * one service (packages/redis/bench/replicated-service.ts: Express + wimse-pep) on the memory store, on
 * the Redis store over node-redis and over ioredis, and over each with durability on (WAIT 2).
 *
 *   node --conditions=wimse-source --import tsx bench/replay-store-replicated.bench.ts
 *   (BENCH_REQUESTS=3000 BENCH_ROUNDS=3 are the defaults; BENCH_WRITE=0 only prints)
 *
 * Rounds alternate the stores so that other load on the (shared, 2-core) machine hits all alike.
 * Throughput is requests over the time to the last response (hrtime), not autocannon's ticks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { signRequest } from '@wimse-pep/client';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { startRedisServer } from '../test/support/redis-server.js';
import { createLoadCredentials } from './load/credentials.js';
import { recordResults } from './record-results.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const WARMUP = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 16;
const root = new URL('../', import.meta.url).pathname;

const primary = await startRedisServer({
  args: ['--maxmemory-policy', 'noeviction', '--repl-diskless-sync-delay', '0'],
});
const replicas = [
  await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] }),
  await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] }),
];
const admin = new Redis(primary.port, '127.0.0.1');
for (let waited = 0; !/slave1:.*state=online/.test(await admin.info('replication')); waited++) {
  if (waited > 200) throw new Error('the replicas did not sync');
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const { credentials, workloadKey } = await createLoadCredentials();
const trustFile = join(tmpdir(), `wimse-bench-trust-${process.pid}.json`);
writeFileSync(
  trustFile,
  JSON.stringify({
    trustDomains: [
      {
        trustDomain: credentials.trustDomain,
        issuers: [{ jwks: { keys: [credentials.issuerJwk] }, algorithms: ['ES256'] }],
      },
    ],
    audiences: [credentials.audience],
  }),
);

type Variant = { readonly name: string; readonly store: string; readonly durable: number };
const variants: Variant[] = [
  { name: 'memory', store: 'memory', durable: 0 },
  { name: 'node-redis', store: 'node-redis', durable: 0 },
  { name: 'ioredis', store: 'ioredis', durable: 0 },
  { name: 'node-redis, durability WAIT 2', store: 'node-redis', durable: 2 },
  { name: 'ioredis, durability WAIT 2', store: 'ioredis', durable: 2 },
];

async function startService(variant: Variant): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--conditions=wimse-source', '--import', 'tsx', join(root, 'packages/redis/bench/replicated-service.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        WIMSE_TRUST_FILE: trustFile,
        STORE: variant.store,
        REDIS_PORT: String(primary.port),
        DURABLE_REPLICAS: String(variant.durable),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as { listening?: number };
      if (parsed.listening) resolve(parsed.listening);
    });
  });
  return { port, child };
}

async function prepare(count: number) {
  const requests: { path: string; headers: Record<string, string> }[] = [];
  for (let i = 0; i < count; i++) {
    const path = `/orders/${i}`;
    const signed = await signRequest(
      { method: 'GET', url: `${credentials.audience}${path}` },
      { wit: credentials.wit, privateKey: workloadKey },
    );
    requests.push({ path, headers: signed.headers });
  }
  return requests;
}

async function fire(port: number, requests: { path: string; headers: Record<string, string> }[]) {
  let next = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  // autocannon ends on its one-second tick: time to the last response instead.
  let last = start;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    amount: requests.length,
    timeout: 30,
    requests: [
      {
        setupRequest: () => {
          const request = requests[next++ % requests.length] as (typeof requests)[number];
          return { method: 'GET', path: request.path, headers: request.headers };
        },
        onResponse: (status) => {
          last = process.hrtime.bigint();
          if (status !== 200) failures++;
        },
      },
    ],
  });
  const seconds = Number(last - start) / 1e9;
  return {
    rps: requests.length / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: failures + result.errors + result.timeouts,
  };
}

const rows: { round: number; variant: string; rps: number; p50: number; p99: number; failures: number }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const variant of variants) {
    const service = await startService(variant);
    try {
      await fire(service.port, await prepare(WARMUP));
      const measured = await fire(service.port, await prepare(REQUESTS));
      rows.push({ round, variant: variant.name, ...measured });
      console.log(
        `round ${round} ${variant.name}: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, failures ${measured.failures}`,
      );
    } finally {
      service.child.kill('SIGTERM');
    }
  }
}
admin.disconnect();
for (const server of [...replicas, primary]) await server.stop();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const summary = (name: string) => {
  const mine = rows.filter((row) => row.variant === name);
  return {
    rps: median(mine.map((row) => row.rps)),
    p50: median(mine.map((row) => row.p50)),
    p99: median(mine.map((row) => row.p99)),
  };
};
const memory = summary('memory');
const lines = [
  'redis-server local (127.0.0.1, no persistence), a primary and two replicas, on the same 2-core machine as the',
  'service and the load generator (and other work: absolute numbers are noisy; the ratios are the figures to read).',
  '',
  `packages/redis/bench/replicated-service.ts (Express + wimse-pep, GET, ES256 workload key, warm WIT cache), ${REQUESTS} pre-signed`,
  `requests per round after ${WARMUP} warm-up requests, ${CONNECTIONS} connections; req/s to the last response.`,
  '',
  '| round | store | req/s | p50 ms | p99 ms | non-200 |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (row) => `| ${row.round} | ${row.variant} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.failures} |`,
  ),
  '',
  '| store (median of rounds) | req/s | × memory | p50 ms | p99 ms |',
  '| --- | --- | --- | --- | --- |',
  ...variants.map((variant) => {
    const s = summary(variant.name);
    return `| ${variant.name} | ${s.rps.toFixed(0)} | ${(s.rps / memory.rps).toFixed(2)} | ${s.p50} | ${s.p99} |`;
  }),
];
recordResults(
  {
    name: 'replay-store-replicated',
    title: 'Replay store on replicated Redis (a primary, two replicas): memory, node-redis, ioredis, durability',
    command: 'node --conditions=wimse-source --import tsx bench/replay-store-replicated.bench.ts',
    settings: ['BENCH_REQUESTS', 'BENCH_ROUNDS'],
  },
  lines,
);
process.exit(0);
