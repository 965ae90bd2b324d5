/**
 * Load benchmark: `pnpm bench:load`. Each peer's server runs in its own process (servers.ts);
 * the load generator is wrk in its own process when installed (Debian package `wrk`; BENCH_GENERATOR=wrk|autocannon),
 * else autocannon as a library in this process. Peers run one after the other
 * with identical settings, GET and POST (1 KiB JSON body with Content-Digest), in several rounds
 * interleaved so that a noisy neighbour hits every peer alike; the medians are reported.
 *
 * WIMSE requests are signed before the measured window, each with its own nonce, so signing never
 * throttles the generator. Every response is checked: status 200 and the caller in the body.
 * CPU per request is the server's own process.cpuUsage() over the measured window.
 *
 * `express-wimse-inline`, `fastify-wimse-inline`, `koa-wimse-inline` (not in the default set) are
 * wimse-pep with `signatureVerification: 'inline'`, to compare the verification modes.
 * `express-wimse-audit` (not in the default set) is express-wimse writing the tamper-evident audit
 * trail (@wimse-pep/audit, one checkpoint a second): BENCH_PEERS=express-wimse,express-wimse-audit;
 * `express-wimse-audit-noop` has a sink that does nothing, to tell the guard's cost of building the
 * events from the trail's.
 *
 * Environment: BENCH_REQUESTS (per peer and method, default 8000), BENCH_CONNECTIONS (50),
 * BENCH_ROUNDS (3), BENCH_PEERS (comma-separated subset), BENCH_METHODS (GET,POST), BENCH_SOAK_ROUNDS (memory run, 10),
 * BENCH_GENERATOR (wrk or autocannon). A full run writes bench/results/load.md; a partial one (a subset of the
 * peers or methods, no memory run, no rounds) only prints unless BENCH_WRITE=1; BENCH_WRITE=0 never writes.
 * BENCH_CPU_PROF_DIR (each server process writes a V8 CPU profile there), BENCH_SERVER_PIDS (a file
 * that gets each server's pid).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { signRequest } from '@wimse-pep/client';
import autocannon from 'autocannon';
import { recordResults } from '../record-results.js';
import { createLoadCredentials, type LoadCredentials } from './credentials.js';
import { fireWithWrk, wrkAvailable } from './wrk-generator.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8000);
const WARMUP = Math.max(500, Math.floor(REQUESTS / 8));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SOAK_ROUNDS = Number(process.env.BENCH_SOAK_ROUNDS ?? 10);
const ALL_PEERS = [
  'express-bare',
  'express-jose',
  'express-jwt',
  'express-wimse',
  'fastify-bare',
  'fastify-jwt',
  'fastify-wimse',
  'koa-bare',
  'koa-jose',
  'koa-wimse',
];
/**
 * The NestJS peers (issue 25), run on their own (`pnpm bench:load:nestjs`): WimseGuard against the
 * passport-jwt guard on each of Nest's platforms; their table is bench/results/load-nestjs.md.
 */
const NEST_PEERS = ['nest-express-passport', 'nest-express-wimse', 'nest-fastify-passport', 'nest-fastify-wimse'];
/** wrk (Debian package) when installed: far lighter than autocannon, so the server gets more of the CPU. */
const GENERATOR = process.env.BENCH_GENERATOR ?? (wrkAvailable() ? 'wrk' : 'autocannon');
if (GENERATOR !== 'wrk' && GENERATOR !== 'autocannon') throw new Error('BENCH_GENERATOR must be wrk or autocannon');
const PEERS = process.env.BENCH_PEERS ? process.env.BENCH_PEERS.split(',') : ALL_PEERS;
type Method = 'GET' | 'POST';
const METHODS = (process.env.BENCH_METHODS ? process.env.BENCH_METHODS.split(',') : ['GET', 'POST']) as Method[];

/** A 1 KiB JSON document: {"items":[...]} padded to exactly 1024 bytes. */
const BODY = (() => {
  const items = Array.from({ length: 40 }, (_, i) => ({ sku: `sku-${i}`, qty: i % 5 }));
  const text = JSON.stringify({ items, note: '' });
  return JSON.stringify({ items, note: 'x'.repeat(1024 - text.length) });
})();

interface ServerHandle {
  readonly port: number;
  stats(): Promise<{ cpuMicros: number; rss: number; heapUsed: number }>;
  stop(): Promise<void>;
}

function startServer(peer: string, credentials: LoadCredentials): Promise<ServerHandle> {
  const child: ChildProcess = fork(new URL('./servers.ts', import.meta.url).pathname, [peer], {
    // The packages as built (dist), as users run them: the sources through tsx carry esbuild's
    // keepNames helpers (`__name`) on every closure, a cost no user pays.
    execArgv: [
      '--import',
      'tsx',
      // BENCH_CPU_PROF_DIR: every server writes a V8 CPU profile there when it stops.
      ...(process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : []),
    ],
    env: { ...process.env, BENCH_CREDENTIALS: JSON.stringify(credentials), NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // BENCH_SERVER_PIDS: a file that gets one "peer pid" line per server started (bench/load/perf-split.sh).
  if (process.env.BENCH_SERVER_PIDS) appendFileSync(process.env.BENCH_SERVER_PIDS, `${peer} ${child.pid}\n`);
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as T);
      };
      const onExit = (code: number | null) => reject(new Error(`${peer} server exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return next<{ port: number }>('listening').then(({ port }) => ({
    port,
    stats: () => {
      const reply = next<{ cpuMicros: number; rss: number; heapUsed: number }>('stats');
      child.send({ type: 'stats' });
      return reply;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  }));
}

interface PreparedRequest {
  readonly method: Method;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

async function prepare(
  peer: string,
  method: Method,
  count: number,
  credentials: LoadCredentials,
  workloadKey: KeyObject,
  lifetimeSec = 300,
): Promise<PreparedRequest[]> {
  const path = method === 'GET' ? '/orders/7' : '/orders';
  const base: Record<string, string> = method === 'POST' ? { 'content-type': 'application/json' } : {};
  if (!peer.includes('-wimse')) {
    const headers = { ...base };
    if (method === 'POST')
      headers['content-digest'] = (await import('@wimse-pep/core/signing')).contentDigest(Buffer.from(BODY));
    if (!peer.endsWith('-bare')) headers.authorization = `Bearer ${credentials.bearer}`;
    return Array.from({ length: count }, () => ({
      method,
      path,
      headers,
      ...(method === 'POST' ? { body: BODY } : {}),
    }));
  }
  const requests: PreparedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const signed = await signRequest(
      { method, url: `${credentials.audience}${path}`, headers: base, ...(method === 'POST' ? { body: BODY } : {}) },
      { wit: credentials.wit, privateKey: workloadKey },
      { lifetimeSec },
    );
    requests.push({ method, path, headers: signed.headers, ...(method === 'POST' ? { body: BODY } : {}) });
  }
  return requests;
}

interface Measurement {
  readonly peer: string;
  readonly method: Method;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicrosPerRequest: number;
  readonly rssMiB: number;
  readonly failures: number;
}

/** `spares`: one more request per connection, sent (by wrk) only after the counted window. */
async function fire(port: number, requests: PreparedRequest[], expectCaller: boolean, spares: PreparedRequest[]) {
  if (GENERATOR === 'wrk') {
    const run = await fireWithWrk(port, requests, spares, CONNECTIONS, expectCaller);
    return { seconds: run.seconds, failures: run.failures, latency: { p50: run.p50Ms, p99: run.p99Ms } };
  }
  let next = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  let lastResponse = start;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    amount: requests.length,
    timeout: 30,
    requests: [
      {
        setupRequest: () => {
          const request = requests[next++ % requests.length] as PreparedRequest;
          return { method: request.method, path: request.path, headers: request.headers, body: request.body ?? '' };
        },
        onResponse: (status, body) => {
          lastResponse = process.hrtime.bigint();
          if (status !== 200 || (expectCaller && !body.includes('"caller":"'))) {
            failures++;
            if (failures === 1) console.error(`  unexpected response ${status}: ${body.slice(0, 200)}`);
          }
        },
      },
    ],
  });
  // autocannon's own duration is in whole seconds, and it only notices that the last response
  // arrived on its next one-second tick: timing until it returns measured that idle wait too
  // (req/s came out as requests ÷ whole seconds). The window ends with the last response.
  const seconds = Number(lastResponse - start) / 1e9;
  if (next !== requests.length) throw new Error(`sent ${next} requests, prepared ${requests.length}`);
  return { seconds, failures: failures + result.errors + result.timeouts, latency: result.latency };
}

async function measure(
  peer: string,
  method: Method,
  server: ServerHandle,
  credentials: LoadCredentials,
  workloadKey: KeyObject,
): Promise<Measurement> {
  const warmup = await prepare(peer, method, WARMUP, credentials, workloadKey);
  const measured = await prepare(peer, method, REQUESTS, credentials, workloadKey);
  const spares = await prepare(peer, method, 2 * CONNECTIONS, credentials, workloadKey);
  const expectCaller = !peer.endsWith('-bare');
  await fire(server.port, warmup, expectCaller, spares.slice(0, CONNECTIONS));
  const before = await server.stats();
  const { latency, seconds, failures } = await fire(server.port, measured, expectCaller, spares.slice(CONNECTIONS));
  const after = await server.stats();
  return {
    peer,
    method,
    rps: REQUESTS / seconds,
    p50: latency.p50,
    p99: latency.p99,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / REQUESTS,
    rssMiB: after.rss / 2 ** 20,
    failures,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const { credentials, workloadKey } = await createLoadCredentials();
const runs: Measurement[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const peer of PEERS) {
    const server = await startServer(peer, credentials);
    try {
      for (const method of METHODS) {
        const measurement = await measure(peer, method, server, credentials, workloadKey);
        runs.push(measurement);
        console.log(
          `round ${round} ${peer.padEnd(14)} ${method.padEnd(4)} ${measurement.rps.toFixed(0).padStart(6)} req/s  p50 ${measurement.p50} ms  p99 ${measurement.p99} ms  ${measurement.cpuMicrosPerRequest.toFixed(0)} µs CPU/req  failures ${measurement.failures}`,
        );
      }
    } finally {
      await server.stop();
    }
  }
}

const summary = PEERS.flatMap((peer) =>
  METHODS.map((method) => {
    const rows = runs.filter((run) => run.peer === peer && run.method === method);
    return {
      peer,
      method,
      rps: median(rows.map((row) => row.rps)),
      p50: median(rows.map((row) => row.p50)),
      p99: median(rows.map((row) => row.p99)),
      cpu: median(rows.map((row) => row.cpuMicrosPerRequest)),
      failures: rows.reduce((sum, row) => sum + row.failures, 0),
    };
  }),
);

/** Per round (same neighbours), then the median over rounds: the ratio is what is compared. */
function ratio(wimse: string, peer: string, method: Method) {
  const per = (key: 'rps' | 'cpuMicrosPerRequest') => {
    const values: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const pick = (name: string) => runs.filter((run) => run.peer === name && run.method === method)[round];
      const a = pick(wimse);
      const b = pick(peer);
      if (a && b) values.push(key === 'rps' ? a.rps / b.rps : b.cpuMicrosPerRequest / a.cpuMicrosPerRequest);
    }
    return values.length === 0 ? undefined : median(values);
  };
  return { throughput: per('rps'), cpu: per('cpuMicrosPerRequest') };
}

const goals: [string, string, Method, number][] = [
  ['express-wimse', 'express-jose', 'GET', 1.0],
  ['express-wimse', 'express-jose', 'POST', 1.0],
  ['express-wimse', 'express-jwt', 'GET', 2.0],
  ['express-wimse', 'express-jwt', 'POST', 2.0],
  ['fastify-wimse', 'fastify-jwt', 'GET', 1.0],
  ['fastify-wimse', 'fastify-jwt', 'POST', 1.0],
  ['koa-wimse', 'koa-jose', 'GET', 1.0],
  ['koa-wimse', 'koa-jose', 'POST', 1.0],
  ['fastify-wimse-inline', 'fastify-jwt', 'GET', 1.0],
  ['fastify-wimse-inline', 'fastify-jwt', 'POST', 1.0],
  ['koa-wimse-inline', 'koa-jose', 'GET', 1.0],
  ['koa-wimse-inline', 'koa-jose', 'POST', 1.0],
  ['express-wimse-inline', 'express-jose', 'GET', 1.0],
  ['express-wimse-inline', 'express-jose', 'POST', 1.0],
  // Hono (issue 26): @wimse-pep/hono against Hono's own JWK middleware (not in the default peers).
  ['hono-wimse', 'hono-jwt', 'GET', 1.0],
  ['hono-wimse', 'hono-jwt', 'POST', 1.0],
  ['hono-wimse-inline', 'hono-jwt', 'GET', 1.0],
  ['hono-wimse-inline', 'hono-jwt', 'POST', 1.0],
  // The audit trail's cost (issue: at most 5%): with the chain and one checkpoint a second, against without.
  ['nest-express-wimse', 'nest-express-passport', 'GET', 1.0],
  ['nest-express-wimse', 'nest-express-passport', 'POST', 1.0],
  ['nest-fastify-wimse', 'nest-fastify-passport', 'GET', 1.0],
  ['nest-fastify-wimse', 'nest-fastify-passport', 'POST', 1.0],
  ['express-wimse-audit', 'express-wimse', 'GET', 0.95],
  ['express-wimse-audit', 'express-wimse', 'POST', 0.95],
  // Not a goal: the trail against a sink that does nothing (the guard builds the events either way).
  ['express-wimse-audit', 'express-wimse-audit-noop', 'GET', 0.95],
  ['express-wimse-audit-noop', 'express-wimse', 'GET', 0.95],
  // Not a goal: the verification mode, thread pool (default) against inline.
  ['express-wimse', 'express-wimse-inline', 'GET', 1.0],
  ['express-wimse', 'express-wimse-inline', 'POST', 1.0],
];
const fmt = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(2)}×`);
const goalRows = goals
  .filter(([wimse, peer, method]) => PEERS.includes(wimse) && PEERS.includes(peer) && METHODS.includes(method))
  .map(([wimse, peer, method, goal]) => {
    const { throughput, cpu } = ratio(wimse, peer, method);
    const met = (value: number | undefined) => (value === undefined ? '' : value >= goal ? ' ✓' : ' ✗');
    return `| ${wimse} vs ${peer} | ${method} | ${goal % 1 === 0 ? goal.toFixed(1) : String(goal)}× | ${fmt(throughput)}${met(throughput)} | ${fmt(cpu)}${met(cpu)} |`;
  });

// Memory: one wimse-pep server over a long run; resident size after each round.
const soak: string[] = [];
if (SOAK_ROUNDS > 0 && PEERS.includes('express-wimse')) {
  const server = await startServer('express-wimse', credentials);
  const soakStart = Date.now();
  try {
    for (let round = 1; round <= SOAK_ROUNDS; round++) {
      // The client's default 60 s lifetime: nonces leave the replay store after 60 s + 60 s tolerance.
      const requests = await prepare('express-wimse', 'POST', REQUESTS + CONNECTIONS, credentials, workloadKey, 60);
      const { failures } = await fire(server.port, requests.slice(0, REQUESTS), true, requests.slice(REQUESTS));
      const stats = await server.stats();
      const elapsed = ((Date.now() - soakStart) / 1000).toFixed(0);
      const line = `| ${round} | ${elapsed} | ${round * REQUESTS} | ${(stats.rss / 2 ** 20).toFixed(1)} | ${(stats.heapUsed / 2 ** 20).toFixed(1)} | ${failures} |`;
      console.log(`soak ${line}`);
      soak.push(line);
    }
  } finally {
    await server.stop();
  }
}

const report = [
  `${REQUESTS} measured requests per peer and method after ${WARMUP} warm-up requests, ${CONNECTIONS} connections, generator:`,
  `${GENERATOR === 'wrk' ? 'wrk (one thread, its own process)' : 'autocannon in the parent process'}, each server in its own process; ${ROUNDS} rounds interleaved, medians shown. ES256 everywhere (issuer and`,
  'workload keys), so a bearer request and a warm WIMSE request each cost one P-256 verification. POST: 1 KiB JSON body with',
  'Content-Digest (checked by wimse-pep, ignored by the others). WIMSE requests pre-signed with unique nonces.',
  '',
  '**Noise.** The machine has 2 cores shared with other work during the run: the load generator and the server already compete',
  'for them, and neighbours come and go. Requests per second and latency are therefore noisy; compare rows of the same run,',
  'and prefer the CPU time per request (measured in the server process), which is far less sensitive to neighbours.',
  '',
  '| peer | method | req/s | p50 ms | p99 ms | server CPU µs/req | failed responses |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...summary.map(
    (row) =>
      `| ${row.peer} | ${row.method} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.cpu.toFixed(0)} | ${row.failures} |`,
  ),
  '',
  '## Goals',
  '',
  'throughput: wimse-pep req/s ÷ peer req/s; CPU: peer CPU per request ÷ wimse-pep CPU per request (both ≥ goal means met).',
  'Each ratio is taken within one round, then the median over rounds.',
  '',
  '| comparison | method | goal | throughput | CPU |',
  '| --- | --- | --- | --- | --- |',
  ...goalRows,
  '',
  ...(soak.length === 0
    ? []
    : [
        '## Memory over a long run',
        '',
        `One Express + wimse-pep server, POST with a body, ${SOAK_ROUNDS} rounds of ${REQUESTS} requests; resident size after each.`,
        'Signatures of 60 s (the client default): the replay store keeps each nonce for 60 s + 60 s tolerance, so it fills for',
        'two minutes and then holds steady; the WIT cache holds one entry.',
        '',
        '| round | seconds | requests so far | RSS MiB | heap used MiB | failed |',
        '| --- | --- | --- | --- | --- | --- |',
        ...soak,
      ]),
];
const nestRun = PEERS.every((peer) => NEST_PEERS.includes(peer));
const complete =
  (nestRun ? NEST_PEERS : ALL_PEERS).every((peer) => PEERS.includes(peer)) &&
  (['GET', 'POST'] as const).every((method) => METHODS.includes(method)) &&
  ROUNDS > 0 &&
  (nestRun || soak.length > 0);
recordResults(
  {
    name: nestRun ? 'load-nestjs' : 'load',
    title: nestRun ? 'Load benchmark: NestJS, WimseGuard against a passport-jwt guard' : 'Load benchmark',
    command: nestRun ? 'pnpm bench:load:nestjs' : 'pnpm bench:load',
    settings: [
      'BENCH_REQUESTS',
      'BENCH_CONNECTIONS',
      'BENCH_ROUNDS',
      'BENCH_PEERS',
      'BENCH_METHODS',
      'BENCH_SOAK_ROUNDS',
      'BENCH_GENERATOR',
    ],
  },
  report,
  complete,
);
