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

async function pipelineMicros(alg: Alg, cached: boolean): Promise<number> {
  const verifier = createVerifier({
    trustDomains: [{ trustDomain: 'bench.example', issuers: [{ jwks: { keys: [issuerJwk] }, algorithms: ['ES256'] }] }],
    audiences: ['https://svc.bench.example'],
    witCacheSize: cached ? 1000 : 0,
  });
  const requests = await signedRequests(alg, WARMUP + ITERATIONS);
  for (const request of requests.slice(0, WARMUP)) await verifier.verify(request);
  const start = process.hrtime.bigint();
  for (const request of requests.slice(WARMUP)) await verifier.verify(request);
  return Number(process.hrtime.bigint() - start) / 1000 / ITERATIONS;
}

const rows: string[] = [];
for (const alg of ['ES256', 'EdDSA'] as const) {
  const raw = rawVerifyMicros(alg);
  const warm = await pipelineMicros(alg, true);
  const cold = await pipelineMicros(alg, false);
  rows.push(
    `| ${alg} | ${raw.toFixed(1)} | ${warm.toFixed(1)} | ${(warm / raw).toFixed(2)}× | ${cold.toFixed(1)} | ${(cold / raw).toFixed(2)}× |`,
  );
}

const report = [
  `# verify-request micro benchmark`,
  '',
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${ITERATIONS} requests per row, sequential.`,
  'Issuer key ES256 (WIT JWS); the workload key signs the HTTP request. µs per request.',
  '',
  '| workload alg | raw node:crypto verify (µs) | warm: WIT cached (µs) | warm / raw | cold: no WIT cache (µs) | cold / raw |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
].join('\n');
console.log(report);
if (process.env.BENCH_WRITE !== '0') writeFileSync(new URL('./results/verify-request.md', import.meta.url), report);
