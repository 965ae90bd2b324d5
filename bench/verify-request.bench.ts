/**
 * Micro benchmark of the core's cost per request, as a ratio to one raw node:crypto verification
 * of the same algorithm measured in the same run (so the numbers travel between machines).
 *
 *   pnpm bench            prints a table and writes bench/results/verify-request.md
 *                         (BENCH_ITERATIONS=2000 BENCH_ROUNDS=5 are the defaults; BENCH_WRITE=0 only prints)
 *
 * warm: the WIT is already cached (the steady state of a caller that reuses its WIT);
 * cold: WIT cache disabled, so every request also verifies the WIT's JWS and imports cnf.jwk.
 * Requests are signed before timing starts; each carries a fresh nonce.
 *
 * Besides wall time, CPU time per request (process.cpuUsage: every thread of the process, so the
 * thread pool's work counts too) for both `signatureVerification` modes: on a shared machine the
 * CPU time is what compares, wall time moves with the neighbours.
 *
 * wpt: the same request proved by a Workload Proof Token (Authorization: WPT) instead of a
 * signature, warm WIT cache, inline: one JWS verify under cnf.jwk plus the jti replay check.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { signRequest } from '@wimse-pep/client';
import { createVerifier, type WorkloadRequest } from '@wimse-pep/core';
import { createWorkloadProofToken, resolveSigningKey } from '@wimse-pep/core/signing';
import { SignJWT } from 'jose';
import { recordResults } from './record-results.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const WARMUP = Math.min(500, ITERATIONS);
const CONCURRENCY = 16;
const nowSec = Math.floor(Date.now() / 1000);
const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const issuerJwk = { ...issuer.publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'ES256' };

type Alg = 'ES256' | 'EdDSA';

function workloadKey(alg: Alg) {
  return alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
}

function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

function rawVerifyMicros(alg: Alg): { wall: number; cpu: number } {
  const pair = workloadKey(alg);
  const data = Buffer.from('"@method": GET\n"@path": /orders\n"@query": ?id=7\n'.repeat(8));
  const hash = alg === 'ES256' ? 'sha256' : null;
  const key = alg === 'ES256' ? { key: pair.publicKey, dsaEncoding: 'ieee-p1363' as const } : pair.publicKey;
  const signature = sign(
    hash,
    data,
    alg === 'ES256' ? { key: pair.privateKey, dsaEncoding: 'ieee-p1363' } : pair.privateKey,
  );
  for (let i = 0; i < WARMUP; i++) verify(hash, data, key, signature);
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) verify(hash, data, key, signature);
  return { wall: Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS, cpu: cpuMicros(cpu) / ITERATIONS };
}

type Proof = 'http-signature' | 'wpt';

async function signedRequests(alg: Alg, count: number, proof: Proof): Promise<WorkloadRequest[]> {
  const pair = workloadKey(alg);
  const wit = await new SignJWT({
    sub: 'wimse://bench.example/service/caller',
    cnf: { jwk: { ...pair.publicKey.export({ format: 'jwk' }), alg } },
    iat: nowSec,
    exp: nowSec + 3600,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'wit+jwt', kid: 'bench' })
    .sign(issuer.privateKey);
  const requests: WorkloadRequest[] = [];
  const key = resolveSigningKey({ wit, privateKey: pair.privateKey });
  for (let i = 0; i < count; i++) {
    if (proof === 'wpt') {
      // A fresh WPT per request (its own jti), as createWimseFetch({ proof: 'wpt' }) sends it.
      const token = await createWorkloadProofToken(key, { audience: 'https://svc.bench.example/orders' });
      const headers = { 'workload-identity-token': wit, authorization: `WPT ${token}` };
      requests.push({ method: 'GET', target: '/orders?id=7', headers });
      continue;
    }
    const signed = await signRequest(
      { method: 'GET', url: 'https://svc.bench.example/orders?id=7' },
      { wit, privateKey: pair.privateKey },
    );
    requests.push({ method: 'GET', target: '/orders?id=7', headers: signed.headers });
  }
  return requests;
}

/** µs per request: sequential (wall and CPU) and with CONCURRENCY requests in flight (wall). */
async function pipelineMicros(
  alg: Alg,
  cached: boolean,
  signatureVerification: 'inline' | 'thread-pool',
  proof: Proof = 'http-signature',
): Promise<{ sequential: number; cpu: number; concurrent: number }> {
  const verifier = createVerifier({
    signatureVerification,
    trustDomains: [{ trustDomain: 'bench.example', issuers: [{ jwks: { keys: [issuerJwk] }, algorithms: ['ES256'] }] }],
    audiences: ['https://svc.bench.example'],
    witCacheSize: cached ? 1000 : 0,
  });
  const requests = await signedRequests(alg, WARMUP + 2 * ITERATIONS, proof);
  for (const request of requests.slice(0, WARMUP)) await verifier.verify(request);
  const cpuStart = process.cpuUsage();
  let start = process.hrtime.bigint();
  for (const request of requests.slice(WARMUP, WARMUP + ITERATIONS)) await verifier.verify(request);
  const sequential = Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS;
  const cpu = cpuMicros(cpuStart) / ITERATIONS;
  const batch = requests.slice(WARMUP + ITERATIONS);
  start = process.hrtime.bigint();
  for (let i = 0; i < batch.length; i += CONCURRENCY) {
    await Promise.all(batch.slice(i, i + CONCURRENCY).map((request) => verifier.verify(request)));
  }
  const concurrent = Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS;
  return { sequential, cpu, concurrent };
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const rows: string[] = [];
const cpuRows: string[] = [];
const wptRows: string[] = [];
for (const alg of ['ES256', 'EdDSA'] as const) {
  // Rounds interleave every variant, so a neighbour's burst hits them alike; medians are shown.
  const samples = {
    raw: [] as { wall: number; cpu: number }[],
    runs: new Map<string, Awaited<ReturnType<typeof pipelineMicros>>[]>(),
  };
  for (let round = 0; round < ROUNDS; round++) {
    samples.raw.push(rawVerifyMicros(alg));
    for (const [name, cached, mode, proof] of [
      ['warm', true, 'inline', 'http-signature'],
      ['cold', false, 'inline', 'http-signature'],
      ['warmPool', true, 'thread-pool', 'http-signature'],
      ['coldPool', false, 'thread-pool', 'http-signature'],
      ['wptWarm', true, 'inline', 'wpt'],
    ] as const) {
      const list = samples.runs.get(name) ?? [];
      list.push(await pipelineMicros(alg, cached, mode, proof));
      samples.runs.set(name, list);
    }
  }
  const raw = { wall: median(samples.raw.map((s) => s.wall)), cpu: median(samples.raw.map((s) => s.cpu)) };
  const of = (name: string, key: 'sequential' | 'cpu' | 'concurrent') =>
    median((samples.runs.get(name) ?? []).map((s) => s[key]));
  const cell = (micros: number) => `${micros.toFixed(1)} (${(micros / raw.wall).toFixed(2)}×)`;
  const cpuCell = (micros: number) => `${micros.toFixed(1)} (${(micros / raw.cpu).toFixed(2)}×)`;
  rows.push(
    `| ${alg} | ${raw.wall.toFixed(1)} | ${cell(of('warm', 'sequential'))} | ${cell(of('warm', 'concurrent'))} | ${cell(of('cold', 'sequential'))} | ${cell(of('cold', 'concurrent'))} |`,
  );
  wptRows.push(
    `| ${alg} | ${cpuCell(of('warm', 'cpu'))} | ${cpuCell(of('wptWarm', 'cpu'))} | ${cell(of('warm', 'sequential'))} | ${cell(of('wptWarm', 'sequential'))} | ${cell(of('wptWarm', 'concurrent'))} |`,
  );
  cpuRows.push(
    `| ${alg} | ${raw.cpu.toFixed(1)} | ${cpuCell(of('warm', 'cpu'))} | ${cpuCell(of('cold', 'cpu'))} | ${cpuCell(of('warmPool', 'cpu'))} | ${cpuCell(of('coldPool', 'cpu'))} |`,
  );
}

const report = [
  `${ITERATIONS} requests per row, median of ${ROUNDS} interleaved rounds.`,
  'Issuer key ES256 (WIT JWS); the workload key signs the HTTP request (GET, no body). warm: the WIT is cached; cold: WIT',
  'cache off. Goals (issue 10): warm ≤ 1.2×, cold ≤ 2.3× the CPU time of one raw verify of the same algorithm.',
  '',
  '**Noise.** The machine has 2 cores shared with other work during the run: wall times move with the neighbours; the CPU',
  "time per request (process.cpuUsage, all threads, so the thread pool's share counts) is the figure to compare.",
  '',
  '## CPU time per request, µs (ratio to one raw verify)',
  '',
  '| workload alg | raw node:crypto verify | warm, inline | cold, inline | warm, thread pool | cold, thread pool |',
  '| --- | --- | --- | --- | --- | --- |',
  ...cpuRows,
  '',
  '## Wall time per request, µs, inline mode (ratio to one raw verify)',
  '',
  `"in flight" keeps ${CONCURRENCY} requests concurrent.`,
  '',
  '| workload alg | raw node:crypto verify | warm, sequential | warm, 16 in flight | cold, sequential | cold, 16 in flight |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
  '## WPT (Authorization: WPT) next to the HTTP signature, warm WIT cache, inline, µs (ratio to one raw verify)',
  '',
  'Same run, same rounds. A WPT request carries a fresh WPT (own jti) and the WIT; no body.',
  '',
  '| workload alg | CPU, HTTP signature | CPU, WPT | wall sequential, HTTP signature | wall sequential, WPT | wall 16 in flight, WPT |',
  '| --- | --- | --- | --- | --- | --- |',
  ...wptRows,
];
recordResults(
  {
    name: 'verify-request',
    title: 'verify-request micro benchmark',
    command: 'pnpm bench',
    settings: ['BENCH_ITERATIONS', 'BENCH_ROUNDS'],
  },
  report,
);
