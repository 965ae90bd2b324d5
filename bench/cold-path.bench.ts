/**
 * The cold path alone (WIT cache off, inline verification): CPU time per GET request against one
 * raw node:crypto verify of the workload's algorithm measured interleaved with it (chunks of 50
 * requests, then 50 raw verifies: a slower machine meanwhile weighs on both). The focused companion
 * of verify-request.bench.ts's "cold, inline" column, quick enough to run before and after a change.
 *
 *   pnpm bench:cold   (COLD_ROUNDS=5 COLD_ITERATIONS=1500 are the defaults; results in
 *   bench/results/cold-path.md; BENCH_WRITE=0 only prints)
 *
 * The issuer signs WITs with ES256. Three rows per algorithm, interleaved:
 * - warm: WIT cache on (the floor: one signature verification plus the request pipeline);
 * - cold: WIT cache off, one WIT (and workload key) for every request, as `pnpm bench` measures it;
 *   the workload key is then known to the verifier after the first request;
 * - cold, new key: WIT cache off and a new WIT with a new workload key for every request, so
 *   `cnf.jwk` is imported each time (a verifier that sees every caller's key for the first time).
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { signRequest } from '@wimse-pep/client';
import { createVerifier, type WorkloadRequest } from '@wimse-pep/core';
import { SignJWT } from 'jose';
import { recordResults } from './record-results.js';

const ITERATIONS = Number(process.env.COLD_ITERATIONS ?? 1500);
const ROUNDS = Number(process.env.COLD_ROUNDS ?? 5);
const WARMUP = 300;
/** Requests per interleaved chunk (then as many raw verifies). */
const CHUNK = 50;
const nowSec = Math.floor(Date.now() / 1000);
const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const issuerJwk = { ...issuer.publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'ES256' };

type Alg = 'ES256' | 'EdDSA';
const pairFor = (alg: Alg) =>
  alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/** One raw node:crypto verify of `alg` over a signature-base-sized message, ready to repeat. */
function rawVerifier(alg: Alg): () => void {
  const pair = pairFor(alg);
  const data = Buffer.from('"@method": GET\n"@path": /orders\n"@query": ?id=7\n'.repeat(8));
  const hash = alg === 'ES256' ? 'sha256' : null;
  const key = alg === 'ES256' ? { key: pair.publicKey, dsaEncoding: 'ieee-p1363' as const } : pair.publicKey;
  const signature = sign(
    hash,
    data,
    alg === 'ES256' ? { key: pair.privateKey, dsaEncoding: 'ieee-p1363' } : pair.privateKey,
  );
  return () => {
    if (!verify(hash, data, key, signature)) throw new Error('raw verify failed');
  };
}

type Variant = 'warm' | 'cold' | 'coldNewKey';

async function witFor(pair: ReturnType<typeof pairFor>, alg: Alg): Promise<string> {
  return new SignJWT({
    sub: 'wimse://bench.example/service/caller',
    cnf: { jwk: { ...pair.publicKey.export({ format: 'jwk' }), alg } },
    iat: nowSec,
    exp: nowSec + 3600,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'wit+jwt', kid: 'bench' })
    .sign(issuer.privateKey);
}

async function requestsFor(alg: Alg, count: number, newKeyEach: boolean): Promise<WorkloadRequest[]> {
  let pair = pairFor(alg);
  let wit = await witFor(pair, alg);
  const requests: WorkloadRequest[] = [];
  for (let i = 0; i < count; i++) {
    if (newKeyEach && i > 0) {
      pair = pairFor(alg);
      wit = await witFor(pair, alg);
    }
    const signed = await signRequest(
      { method: 'GET', url: 'https://svc.bench.example/orders?id=7' },
      { wit, privateKey: pair.privateKey },
    );
    requests.push({ method: 'GET', target: '/orders?id=7', headers: signed.headers });
  }
  return requests;
}

/**
 * CPU µs per request of the pipeline and of one raw verify, measured interleaved in chunks of
 * CHUNK (pipeline chunk, then the same number of raw verifies), so that whatever slows the machine
 * meanwhile (neighbours, frequency) weighs on both sides of the ratio alike.
 */
async function pipelineAndRawCpu(alg: Alg, variant: Variant): Promise<{ pipeline: number; raw: number }> {
  const verifier = createVerifier({
    signatureVerification: 'inline',
    trustDomains: [{ trustDomain: 'bench.example', issuers: [{ jwks: { keys: [issuerJwk] }, algorithms: ['ES256'] }] }],
    audiences: ['https://svc.bench.example'],
    witCacheSize: variant === 'warm' ? 1000 : 0,
  });
  const rawVerify = rawVerifier(alg);
  const requests = await requestsFor(alg, WARMUP + ITERATIONS, variant === 'coldNewKey');
  for (const request of requests.slice(0, WARMUP)) await verifier.verify(request);
  for (let i = 0; i < WARMUP; i++) rawVerify();
  let pipeline = 0;
  let raw = 0;
  for (let at = WARMUP; at < requests.length; at += CHUNK) {
    const chunk = requests.slice(at, at + CHUNK);
    let start = process.cpuUsage();
    for (const request of chunk) await verifier.verify(request);
    pipeline += cpuSince(start);
    start = process.cpuUsage();
    for (let i = 0; i < chunk.length; i++) rawVerify();
    raw += cpuSince(start);
  }
  return { pipeline: pipeline / ITERATIONS, raw: raw / ITERATIONS };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const variants: Variant[] = ['warm', 'cold', 'coldNewKey'];
const rows: string[] = [];
for (const alg of ['ES256', 'EdDSA'] as const) {
  const raw: number[] = [];
  const runs = new Map<Variant, { pipeline: number; raw: number }[]>(variants.map((variant) => [variant, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) {
      const measured = await pipelineAndRawCpu(alg, variant);
      runs.get(variant)?.push(measured);
      raw.push(measured.raw);
    }
  }
  // Each round's ratio is taken against the raw verifies interleaved with it; the median of those.
  const ratios = (variant: Variant) => (runs.get(variant) ?? []).map((run) => run.pipeline / run.raw);
  const cells = variants.map((variant) => {
    const perRound = ratios(variant)
      .map((ratio) => ratio.toFixed(2))
      .join(' ');
    return `${variant} ${median(ratios(variant)).toFixed(2)}x (rounds ${perRound})`;
  });
  console.log(`${alg}: raw verify ${median(raw).toFixed(1)} µs CPU; ${cells.join('; ')}`);
  const cell = (variant: Variant) => {
    const pipeline = median((runs.get(variant) ?? []).map((run) => run.pipeline));
    return `${pipeline.toFixed(1)} (${median(ratios(variant)).toFixed(2)}×)`;
  };
  rows.push(`| ${alg} | ${median(raw).toFixed(1)} | ${cell('warm')} | ${cell('cold')} | ${cell('coldNewKey')} |`);
}
const report = [
  `${ITERATIONS} GET requests per row, median of ${ROUNDS} rounds, inline verification. Issuer ES256. CPU µs per request (ratio to one raw verify`,
  `of the workload algorithm, measured interleaved with it in chunks of ${CHUNK}: the median of the rounds' ratios).`,
  'Goals (issue 10): warm ≤ 1.2×, cold ≤ 2.3×. cold: WIT cache off, the same WIT and workload key on every',
  'request (the key import is then cached); new key: a new WIT and workload key on every request (a first-time caller).',
  '',
  '| workload alg | raw verify | warm | cold | cold, new key |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
];
recordResults(
  {
    name: 'cold-path',
    title: 'Cold path benchmark',
    command: 'pnpm bench:cold',
    settings: ['COLD_ITERATIONS', 'COLD_ROUNDS'],
  },
  report,
);
