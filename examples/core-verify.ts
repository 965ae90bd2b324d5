/**
 * The README's core example, runnable: an identity server key mints a WIT for a workload, the
 * workload signs a request with @wimse-pep/client, and the verifier checks it. Then the same
 * request is tampered with, replayed and forged, and each is refused with its code.
 *
 *   pnpm example:core
 */
import { generateKeyPairSync } from 'node:crypto';
import { signRequest } from '@wimse-pep/client';
import { createVerifier, WimseError, type WorkloadRequest } from '@wimse-pep/core';
import { SignJWT } from 'jose';

const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const workload = generateKeyPairSync('ed25519');
const nowSec = Math.floor(Date.now() / 1000);

async function mintWit(signingKey = issuer.privateKey): Promise<string> {
  return new SignJWT({
    sub: 'wimse://example.com/service/checkout',
    cnf: { jwk: { ...workload.publicKey.export({ format: 'jwk' }), alg: 'EdDSA' } },
    iat: nowSec,
    exp: nowSec + 3600,
    iss: 'https://issuer.example.com',
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'wit+jwt', kid: 'issuer-key-1' })
    .sign(signingKey);
}

const verifier = createVerifier({
  trustDomains: [
    {
      trustDomain: 'example.com',
      issuers: [
        {
          issuer: 'https://issuer.example.com',
          jwks: { keys: [{ ...issuer.publicKey.export({ format: 'jwk' }), kid: 'issuer-key-1', alg: 'ES256' }] },
          algorithms: ['ES256'],
        },
      ],
    },
  ],
  audiences: ['https://orders.internal.example'],
});

async function signed(wit: string): Promise<WorkloadRequest> {
  const body = JSON.stringify({ item: 'ice cream', quantity: 2 });
  const request = await signRequest(
    {
      method: 'POST',
      url: 'https://orders.internal.example/orders?priority=high',
      headers: { 'content-type': 'application/json' },
      body,
    },
    { wit, privateKey: workload.privateKey },
  );
  return { method: 'POST', target: '/orders?priority=high', headers: request.headers, body: request.body };
}

async function attempt(label: string, request: WorkloadRequest): Promise<boolean> {
  try {
    const identity = await verifier.verify(request);
    console.log(`${label.padEnd(34)} ACCEPTED  ${identity.id} (key ${identity.keyThumbprint.slice(0, 12)}…)`);
    return true;
  } catch (error) {
    if (!(error instanceof WimseError)) throw error;
    console.log(`${label.padEnd(34)} REFUSED   ${error.status} ${error.code}`);
    return false;
  }
}

const request = await signed(await mintWit());
const results = [
  await attempt('signed request', request),
  !(await attempt('body tampered in transit', { ...request, body: new TextEncoder().encode('{"item":"caviar"}') })),
  !(await attempt('the same request replayed', request)),
  !(await attempt(
    'WIT forged with another key',
    await signed(await mintWit(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)),
  )),
];
if (results.some((ok) => !ok)) {
  console.error('unexpected result');
  process.exit(1);
}
