/**
 * The replay store on replicated Redis: a primary with two replicas (real redis-servers, local),
 * one service (packages/redis/bench/replicated-service.ts: Express + wimse-pep) on the memory store, on
 * the Redis store over node-redis and over ioredis, and over each with durability on (WAIT 2).
 *
 *   node --conditions=wimse-source --import tsx bench/replay-store-replicated.bench.ts
 *   (BENCH_REQUESTS=3000 BENCH_ROUNDS=3 are the defaults; BENCH_WRITE=0 only prints;
 *   BENCH_VARIANTS=memory,ioredis runs only those)
 *
 * Rounds alternate the stores so that other load on the (shared, 2-core) machine hits all alike.
 * Throughput is requests over the time to the last response (hrtime), not autocannon's ticks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
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
const redisAdmins = [admin, ...replicas.map((replica) => new Redis(replica.port, '127.0.0.1'))];
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

type Variant = { readonly name: string; readonly store: string; readonly durable: number; readonly auto?: boolean };
const allVariants: Variant[] = [
  { name: 'memory', store: 'memory', durable: 0 },
  { name: 'node-redis', store: 'node-redis', durable: 0 },
  { name: 'ioredis', store: 'ioredis', durable: 0 },
  { name: 'ioredis, enableAutoPipelining', store: 'ioredis', durable: 0, auto: true },
  { name: 'node-redis, durability WAIT 2', store: 'node-redis', durable: 2 },
  { name: 'ioredis, durability WAIT 2', store: 'ioredis', durable: 2 },
];
// BENCH_VARIANTS=memory,ioredis: only these (for a profile of one).
const only = process.env.BENCH_VARIANTS?.split(',');
const variants = only ? allVariants.filter((variant) => only.includes(variant.name)) : allVariants;

async function startService(variant: Variant): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      // BENCH_PROFILE=<dir>: a CPU profile of each service.
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      '--conditions=wimse-source',
      '--import',
      'tsx',
      join(root, 'packages/redis/bench/replicated-service.ts'),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        WIMSE_TRUST_FILE: trustFile,
        STORE: variant.store,
        REDIS_PORT: String(primary.port),
        DURABLE_REPLICAS: String(variant.durable),
        AUTO_PIPELINING: variant.auto ? '1' : '0',
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

/** CPU time (ms) of a process, from /proc (clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time (ms) the three redis-servers have used, from INFO cpu. */
async function redisCpuMs(): Promise<number> {
  let total = 0;
  for (const connection of redisAdmins) {
    const info = await connection.info('cpu');
    total +=
      (Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1])) * 1000;
  }
  return total;
}

/**
 * Throughput on a machine shared with other work is noisy; the CPU each request costs is not: the
 * load generator (this process), the service and the redis-servers, in µs per request. On a
 * CPU-bound machine throughput goes as its inverse, so memory's total over a store's is the
 * steadier estimate of the throughput ratio.
 */
async function fire(
  service: { port: number; child: ChildProcess },
  requests: { path: string; headers: Record<string, string> }[],
) {
  const port = service.port;
  const pid = service.child.pid as number;
  let next = 0;
  let failures = 0;
  const cpuBefore = { self: process.cpuUsage(), service: processCpuMs(pid), redis: await redisCpuMs() };
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
  const self = process.cpuUsage(cpuBefore.self);
  const perRequest = (ms: number) => (ms * 1000) / requests.length;
  const cpu = {
    generator: (self.user + self.system) / requests.length,
    service: perRequest(processCpuMs(pid) - cpuBefore.service),
    redis: perRequest((await redisCpuMs()) - cpuBefore.redis),
  };
  return {
    cpu,
    rps: requests.length / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: failures + result.errors + result.timeouts,
  };
}

type Measured = Awaited<ReturnType<typeof fire>>;
const rows: (Measured & { round: number; variant: string })[] = [];
const cpuTotal = (row: Measured) => row.cpu.generator + row.cpu.service + row.cpu.redis;
for (let round = 1; round <= ROUNDS; round++) {
  for (const variant of variants) {
    const service = await startService(variant);
    try {
      await fire(service, await prepare(WARMUP));
      const measured = await fire(service, await prepare(REQUESTS));
      rows.push({ round, variant: variant.name, ...measured });
      console.log(
        `round ${round} ${variant.name}: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, CPU µs/request ${cpuTotal(measured).toFixed(0)} (generator ${measured.cpu.generator.toFixed(0)}, service ${measured.cpu.service.toFixed(0)}, redis ${measured.cpu.redis.toFixed(0)}), failures ${measured.failures}`,
      );
    } finally {
      service.child.kill('SIGTERM');
    }
  }
}
for (const connection of redisAdmins) connection.disconnect();
for (const server of [...replicas, primary]) await server.stop();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const summary = (name: string) => {
  const mine = rows.filter((row) => row.variant === name);
  return {
    rps: median(mine.map((row) => row.rps)),
    p50: median(mine.map((row) => row.p50)),
    p99: median(mine.map((row) => row.p99)),
    service: median(mine.map((row) => row.cpu.service)),
    redis: median(mine.map((row) => row.cpu.redis)),
    total: median(mine.map(cpuTotal)),
  };
};
const memory = summary('memory');
const lines = [
  'redis-server local (127.0.0.1, no persistence), a primary and two replicas, on the same 2-core machine as the',
  'service and the load generator, and other work: req/s are noisy. CPU per request (load generator + service +',
  'the three redis-servers, from /proc and INFO cpu) is steadier: on a CPU-bound machine throughput goes as its',
  'inverse, so "× memory (CPU)" = memory\'s CPU per request over the store\'s is the estimate to read.',
  '',
  `packages/redis/bench/replicated-service.ts (Express + wimse-pep, GET, ES256 workload key, warm WIT cache), ${REQUESTS} pre-signed`,
  `requests per round after ${WARMUP} warm-up requests, ${CONNECTIONS} connections; req/s to the last response.`,
  '',
  '| round | store | req/s | p50 ms | p99 ms | CPU µs/req: service | redis | total | non-200 |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (row) =>
      `| ${row.round} | ${row.variant} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.cpu.service.toFixed(0)} | ${row.cpu.redis.toFixed(0)} | ${cpuTotal(row).toFixed(0)} | ${row.failures} |`,
  ),
  '',
  '| store (median of rounds) | req/s | × memory (req/s) | CPU µs/req | × memory (CPU) | p50 ms | p99 ms |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...variants.map((variant) => {
    const s = summary(variant.name);
    return `| ${variant.name} | ${s.rps.toFixed(0)} | ${(s.rps / memory.rps).toFixed(2)} | ${s.total.toFixed(0)} | ${(memory.total / s.total).toFixed(2)} | ${s.p50} | ${s.p99} |`;
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
  // A subset of the variants only prints (unless BENCH_WRITE=1).
  only === undefined,
);
process.exit(0);
