/**
 * A loop of warm (or cold, PROFILE_COLD=1) ES256 verifications to run under a CPU profiler:
 *   pnpm build && PROFILE_OUT=/tmp/verify.cpuprofile node --import tsx bench/profile-verify.ts
 * (the built packages, as users run them)
 * (the profiler runs around the verification loop only, through node:inspector). PROFILE_LAYER=guard
 * goes through the guard, as the adapters do.
 * POST requests with a 1 KiB body and Content-Digest, as in the load benchmark (PROFILE_METHOD=GET: no body).
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { signRequest } from '@wimse-pep/client';
import { createVerifier, createWorkloadGuard, type WorkloadRequest } from '@wimse-pep/core';
import { SignJWT } from 'jose';

const COUNT = Number(process.env.PROFILE_REQUESTS ?? 20000);
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
const verifier = createVerifier({
  trustDomains: [
    {
      trustDomain: 'bench.example',
      issuers: [
        {
          jwks: { keys: [{ ...issuer.publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'ES256' }] },
          algorithms: ['ES256'],
        },
      ],
    },
  ],
  audiences: ['https://svc.bench.example'],
  witCacheSize: process.env.PROFILE_COLD === '1' ? 0 : 1000,
  signatureVerification: process.env.PROFILE_THREAD_POOL === '1' ? 'thread-pool' : 'inline',
});
const GET = process.env.PROFILE_METHOD === 'GET';
const body = Buffer.from(JSON.stringify({ note: 'x'.repeat(1000) }));
const requests: WorkloadRequest[] = [];
for (let i = 0; i < COUNT; i++) {
  const signed = await signRequest(
    GET
      ? { method: 'GET', url: 'https://svc.bench.example/orders' }
      : {
          method: 'POST',
          url: 'https://svc.bench.example/orders',
          headers: { 'content-type': 'application/json' },
          body,
        },
    { wit, privateKey: workload.privateKey },
    { lifetimeSec: 300 },
  );
  requests.push(
    GET
      ? { method: 'GET', target: '/orders', headers: signed.headers }
      : { method: 'POST', target: '/orders', headers: signed.headers, body },
  );
}
const distinct = requests.map((request) => ({
  ...request,
  headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, [value as string]])),
}));
// Only the verification loop is profiled (signing the requests above is not).
const session = new Session();
session.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
const out = process.env.PROFILE_OUT;
if (out) {
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
}
const cpuBefore = process.cpuUsage();
const start = process.hrtime.bigint();
if (process.env.PROFILE_LAYER === 'guard') {
  // The adapters' path: the guard (modes, audit, metrics) around the verifier, headers as Node's
  // headersDistinct gives them (arrays of field lines).
  const guard = createWorkloadGuard({ verifier });
  for (const request of distinct) await guard.authenticate(request, { route: '/orders' });
} else {
  for (const request of requests) await verifier.verify(request);
}
const elapsed = Number(process.hrtime.bigint() - start) / 1000 / COUNT;
const cpu = process.cpuUsage(cpuBefore);
if (out) {
  const { profile } = (await post('Profiler.stop')) as { profile: unknown };
  writeFileSync(out, JSON.stringify(profile));
}
console.log(`${elapsed.toFixed(1)} µs wall, ${((cpu.user + cpu.system) / COUNT).toFixed(1)} µs CPU per request`);
