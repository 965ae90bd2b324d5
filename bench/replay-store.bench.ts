/**
 * One service (examples/cluster/replica.ts: Express + wimse-pep), run with the in-memory replay
 * store and with the Redis store in the same run, against a real local redis-server; plus the
 * in-memory store's bytes per live nonce and Redis's bytes per nonce key.
 *
 *   pnpm bench:replay-store     prints a table and writes bench/results/replay-store.md
 *   (BENCH_REQUESTS=4000 BENCH_ROUNDS=3 are the defaults; BENCH_WRITE=0 only prints)
 *
 * Rounds alternate memory and Redis so that other load on the machine hits both alike. Every
 * request is pre-signed with its own nonce (ES256 workload key, warm WIT cache).
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
import { measureBytesPerLiveNonce } from './replay-store-memory.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const WARMUP = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 16;
const root = new URL('../', import.meta.url).pathname;

const redis = await startRedisServer({ args: ['--maxmemory-policy', 'noeviction'] });
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

async function startService(store: 'memory' | 'redis'): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--conditions=wimse-source', '--import', 'tsx', join(root, 'examples/cluster/replica.ts')],
    {
      cwd: root,
      env: { ...process.env, REDIS_URL: redis.url, WIMSE_TRUST_FILE: trustFile, PORT: '0', REPLAY_STORE: store },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
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
          if (status !== 200) failures++;
        },
      },
    ],
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    rps: requests.length / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: failures + result.errors + result.timeouts,
  };
}

interface Row {
  readonly round: number;
  readonly store: 'memory' | 'redis';
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
}

const rows: Row[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const store of ['memory', 'redis'] as const) {
    const service = await startService(store);
    try {
      await fire(service.port, await prepare(WARMUP));
      const measured = await fire(service.port, await prepare(REQUESTS));
      rows.push({ round, store, ...measured });
      console.log(
        `round ${round} ${store}: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, failures ${measured.failures}`,
      );
    } finally {
      service.child.kill('SIGTERM');
    }
  }
}

// Redis's own memory per nonce key: used_memory before and after a known number of SET NX PX.
const client = new Redis(redis.port, '127.0.0.1');
await client.flushall();
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
const redisBefore = await usedMemory();
const KEYS = 100_000;
for (let i = 0; i < KEYS; i += 1000) {
  const pipeline = client.pipeline();
  for (let j = i; j < i + 1000; j++) {
    pipeline.set(`{wimse}:nonce:${String(j).padStart(43, 'x')}`, '1', 'PX', 600_000, 'NX');
  }
  await pipeline.exec();
}
const redisBytesPerKey = ((await usedMemory()) - redisBefore) / KEYS;
client.disconnect();
await redis.stop();

const memory = await measureBytesPerLiveNonce(200_000);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const summary = (store: 'memory' | 'redis') => {
  const mine = rows.filter((row) => row.store === store);
  return {
    rps: median(mine.map((row) => row.rps)),
    p50: median(mine.map((row) => row.p50)),
    p99: median(mine.map((row) => row.p99)),
  };
};
const mem = summary('memory');
const red = summary('redis');
const lines = [
  'redis-server local (127.0.0.1, no persistence). On a machine shared with other work absolute numbers are noisy;',
  'rounds alternate the two stores so that the load hits both alike, and the ratio is the figure to read.',
  '',
  `examples/cluster/replica.ts (Express + wimse-pep, GET, ES256 workload key, warm WIT cache), ${REQUESTS} pre-signed`,
  `requests per round after ${WARMUP} warm-up requests, ${CONNECTIONS} connections (autocannon, in the same process as the signer).`,
  '',
  '| round | store | req/s | p50 ms | p99 ms | non-200 |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (row) => `| ${row.round} | ${row.store} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.failures} |`,
  ),
  '',
  `Median: memory ${mem.rps.toFixed(0)} req/s (p50 ${mem.p50} ms, p99 ${mem.p99} ms); Redis ${red.rps.toFixed(0)} req/s (p50 ${red.p50} ms, p99 ${red.p99} ms).`,
  `**Redis / memory throughput: ${(red.rps / mem.rps).toFixed(2)}x** (goal: at least 0.85x).`,
  '',
  '| memory | bytes per live nonce |',
  '| --- | --- |',
  `| MemoryReplayStore (${memory.count} live nonces: V8 heap ${memory.heapPerNonce.toFixed(1)} + off-heap table ${memory.arrayBuffersPerNonce.toFixed(1)}) | ${(memory.heapPerNonce + memory.arrayBuffersPerNonce).toFixed(1)} |`,
  `| Redis (${KEYS} keys \`{wimse}:nonce:<43-char digest>\` with PX, used_memory) | ${redisBytesPerKey.toFixed(1)} |`,
];
recordResults(
  {
    name: 'replay-store',
    title: 'Replay store: in-memory vs Redis, one service',
    command: 'pnpm bench:replay-store',
    settings: ['BENCH_REQUESTS', 'BENCH_ROUNDS'],
  },
  lines,
);
