/**
 * The three structured fields the verifier parses on every request (Signature-Input, Signature,
 * Content-Digest, as a WIMSE client sends them), parsed by structured-headers' parseDictionary and
 * by the hot path's own parser (packages/core/src/sf/parse-dictionary.ts). CPU time per parse,
 * best of interleaved rounds (the machine is shared: the best round is the least disturbed).
 *
 *   pnpm bench:parse-dictionary   prints a table and writes bench/results/parse-dictionary.md
 *   (BENCH_ITERATIONS=200000 BENCH_ROUNDS=7 are the defaults; BENCH_WRITE=0 only prints)
 */
import { generateKeyPairSync } from 'node:crypto';
import { signRequest } from '@wimse-pep/client';
import { SignJWT } from 'jose';
import { parseDictionary as libraryParseDictionary } from 'structured-headers';
import { parseDictionary } from '../packages/core/src/base/sf/parse-dictionary.js';
import { recordResults } from './record-results.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const nowSec = Math.floor(Date.now() / 1000);
const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const workload = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const wit = await new SignJWT({
  sub: 'wimse://bench.example/service/caller',
  cnf: { jwk: { ...workload.publicKey.export({ format: 'jwk' }), alg: 'ES256' } },
  iat: nowSec,
  exp: nowSec + 3600,
})
  .setProtectedHeader({ alg: 'ES256', typ: 'wit+jwt', kid: 'bench' })
  .sign(issuer.privateKey);
const signed = await signRequest(
  {
    method: 'POST',
    url: 'https://svc.bench.example/orders',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ note: 'x'.repeat(1000) })),
  },
  { wit, privateKey: workload.privateKey },
);
const fields = {
  'Signature-Input': signed.headers['signature-input'] as string,
  Signature: signed.headers.signature as string,
  'Content-Digest': signed.headers['content-digest'] as string,
};

function nanosPerCall(run: (value: string) => unknown, value: string): number {
  const used = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) run(value);
  const { user, system } = process.cpuUsage(used);
  return ((user + system) * 1000) / ITERATIONS;
}

const parsers = { 'structured-headers': libraryParseDictionary, 'wimse-pep sf': parseDictionary };
const best = new Map<string, number>();
for (const value of Object.values(fields)) {
  for (const run of Object.values(parsers)) nanosPerCall(run, value); // warm-up
}
for (let round = 0; round < ROUNDS; round++) {
  for (const [field, value] of Object.entries(fields)) {
    for (const [parser, run] of Object.entries(parsers)) {
      const key = `${field}|${parser}`;
      best.set(key, Math.min(best.get(key) ?? Number.POSITIVE_INFINITY, nanosPerCall(run, value)));
    }
  }
}
const lines = [
  `CPU ns per parse, best of ${ROUNDS} interleaved rounds of ${ITERATIONS} parses (the machine is shared: the best round`,
  'is the least disturbed). The fields are those a WIMSE client sends on a signed POST.',
  '',
  '| field | length | structured-headers | wimse-pep sf | ratio |',
  '| --- | --- | --- | --- | --- |',
];
let libraryTotal = 0;
let ownTotal = 0;
for (const [field, value] of Object.entries(fields)) {
  const library = best.get(`${field}|structured-headers`) as number;
  const own = best.get(`${field}|wimse-pep sf`) as number;
  libraryTotal += library;
  ownTotal += own;
  lines.push(
    `| ${field} | ${value.length} | ${library.toFixed(0)} | ${own.toFixed(0)} | ${(library / own).toFixed(1)}× |`,
  );
}
lines.push(
  `| all three (one request) | | ${libraryTotal.toFixed(0)} | ${ownTotal.toFixed(0)} | ${(libraryTotal / ownTotal).toFixed(1)}× |`,
);
recordResults(
  {
    name: 'parse-dictionary',
    title: 'Structured-field dictionaries: structured-headers and the hot path parser',
    command: 'pnpm bench:parse-dictionary',
    settings: ['BENCH_ITERATIONS', 'BENCH_ROUNDS'],
  },
  lines,
);
