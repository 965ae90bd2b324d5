/**
 * Micro benchmark of the core's cost per request, as a ratio to one raw node:crypto verification
 * of the same algorithm measured in the same run (so the numbers travel between machines).
 *
 *   pnpm bench            prints a table and writes bench/results/verify-request.md
 *
 * warm: the WIT is already cached (the steady state of a caller that reuses its WIT);
 * cold: WIT cache disabled, so every request also verifies the WIT's JWS and imports cnf.jwk.
 * Requests are signed before timing starts; each carries a fresh nonce.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { signRequest } from '@wimse-pep/client';
import { createVerifier, type WorkloadRequest } from '@wimse-pep/core';
import { SignJWT } from 'jose';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const WARMUP = Math.min(200, ITERATIONS);
const CONCURRENCY = 16;
const nowSec = Math.floor(Date.now() / 1000);
const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const issuerJwk = { ...issuer.publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'ES256' };

type Alg = 'ES256' | 'EdDSA';

function workloadKey(alg: Alg) {
  return alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
}

function rawVerifyMicros(alg: Alg): number {
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
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) verify(hash, data, key, signature);
  return Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS;
}

async function signedRequests(alg: Alg, count: number): Promise<WorkloadRequest[]> {
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
  for (let i = 0; i < count; i++) {
    const signed = await signRequest(
      { method: 'GET', url: 'https://svc.bench.example/orders?id=7' },
      { wit, privateKey: pair.privateKey },
    );
    requests.push({ method: 'GET', target: '/orders?id=7', headers: signed.headers });
  }
  return requests;
}

/** µs per request: sequential (latency) and with CONCURRENCY requests in flight (throughput). */
async function pipelineMicros(alg: Alg, cached: boolean): Promise<{ sequential: number; concurrent: number }> {
  const verifier = createVerifier({
    trustDomains: [{ trustDomain: 'bench.example', issuers: [{ jwks: { keys: [issuerJwk] }, algorithms: ['ES256'] }] }],
    audiences: ['https://svc.bench.example'],
    witCacheSize: cached ? 1000 : 0,
  });
  const requests = await signedRequests(alg, WARMUP + 2 * ITERATIONS);
  for (const request of requests.slice(0, WARMUP)) await verifier.verify(request);
  let start = process.hrtime.bigint();
  for (const request of requests.slice(WARMUP, WARMUP + ITERATIONS)) await verifier.verify(request);
  const sequential = Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS;
  const batch = requests.slice(WARMUP + ITERATIONS);
  start = process.hrtime.bigint();
  for (let i = 0; i < batch.length; i += CONCURRENCY) {
    await Promise.all(batch.slice(i, i + CONCURRENCY).map((request) => verifier.verify(request)));
  }
  const concurrent = Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS;
  return { sequential, concurrent };
}

const rows: string[] = [];
for (const alg of ['ES256', 'EdDSA'] as const) {
  const raw = rawVerifyMicros(alg);
  const warm = await pipelineMicros(alg, true);
  const cold = await pipelineMicros(alg, false);
  const cell = (micros: number) => `${micros.toFixed(1)} (${(micros / raw).toFixed(2)}×)`;
  rows.push(
    `| ${alg} | ${raw.toFixed(1)} | ${cell(warm.sequential)} | ${cell(warm.concurrent)} | ${cell(cold.sequential)} | ${cell(cold.concurrent)} |`,
  );
}

const report = [
  `# verify-request micro benchmark`,
  '',
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${ITERATIONS} requests per row, sequential.`,
  'Issuer key ES256 (WIT JWS); the workload key signs the HTTP request. warm: the WIT is cached; cold: WIT cache off.',
  '',
  `µs per request and, in brackets, the ratio to one synchronous raw verify. "in flight" keeps ${CONCURRENCY} requests`,
  "concurrent: signature checks run on libuv's thread pool, so they overlap with each other and with the event loop.",
  '',
  '| workload alg | raw node:crypto verify | warm, sequential | warm, 16 in flight | cold, sequential | cold, 16 in flight |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
].join('\n');
console.log(report);
if (process.env.BENCH_WRITE !== '0') writeFileSync(new URL('./results/verify-request.md', import.meta.url), report);
