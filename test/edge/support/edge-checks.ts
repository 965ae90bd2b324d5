import assert from 'node:assert/strict';
import { signRequest } from '@wimse-pep/client';
import { generateTestKey, type TestKeyPair } from '../../support/keys.js';
import { mintWit } from '../../support/mint-wit.js';
import { AUDIENCE, CALLER_ID, ISSUER, TRUST_DOMAIN } from '../../support/scenario.js';
import type { EdgeAppConfig } from '../app/edge-app.js';

/** An issuer and a calling workload on the real clock (the runtimes under test have their own). */
export interface EdgeScenario {
  readonly issuerKey: TestKeyPair;
  readonly workloadKey: TestKeyPair;
  readonly wit: string;
  readonly forgedWit: string;
  readonly config: EdgeAppConfig;
}

export async function createEdgeScenario(): Promise<EdgeScenario> {
  const issuerKey = generateTestKey('ES256', 'issuer-1');
  const workloadKey = generateTestKey('EdDSA');
  const nowSec = Math.floor(Date.now() / 1000);
  const claims = {
    kid: 'issuer-1',
    sub: CALLER_ID,
    cnfJwk: workloadKey.publicJwk,
    iat: nowSec - 60,
    exp: nowSec + 3600,
    iss: ISSUER,
  };
  const wit = await mintWit({ issuerKey, ...claims });
  const forgedWit = await mintWit({ issuerKey, ...claims, signingKey: generateTestKey('ES256').privateKey });
  return {
    issuerKey,
    workloadKey,
    wit,
    forgedWit,
    config: {
      verifier: {
        trustDomains: [
          {
            trustDomain: TRUST_DOMAIN,
            issuers: [{ issuer: ISSUER, jwks: { keys: [issuerKey.publicJwk] }, algorithms: ['ES256'] }],
          },
        ],
        audiences: [AUDIENCE],
      },
    },
  };
}

export interface SentMessage {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array | undefined;
}

/** Signs a request with @wimse-pep/client, as a calling workload on Node does. */
export async function signedMessage(
  scenario: EdgeScenario,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  wit = scenario.wit,
): Promise<SentMessage> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  const signed = await signRequest(
    { method, url: `${AUDIENCE}${path}`, headers, body },
    { wit, privateKey: scenario.workloadKey.privateKey },
  );
  return { method, path, headers: signed.headers, body: signed.body };
}

export async function send(base: string, message: SentMessage, body = message.body) {
  const response = await fetch(`${base}${message.path}`, {
    method: message.method,
    headers: message.headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the assertion below shows the text
  }
  return { status: response.status, type: response.headers.get('content-type') ?? '', json, text };
}

type Answer = Awaited<ReturnType<typeof send>>;

export function expectProblem(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, `expected ${status} ${code}, got ${answer.status} ${answer.text}`);
  assert.match(answer.type, /^application\/problem\+json/);
  assert.equal(answer.json.code, code);
}

/**
 * The checks every runtime must pass: signed GET and POST with a body accepted, a tampered body,
 * a replayed nonce, a forged WIT and a request without credentials refused with their codes.
 * `replayBase` is where the replay goes (another isolate sharing the store, on workerd).
 */
export async function runEdgeChecks(
  base: string,
  scenario: EdgeScenario,
  backend: 'node:crypto' | 'web-crypto',
  replayBase = base,
): Promise<string[]> {
  const passed: string[] = [];
  const get = await signedMessage(scenario, 'GET', '/orders?id=7');
  const ok = await send(base, get);
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { workload: CALLER_ID, backend });
  passed.push('signed GET accepted');

  const body = '{"amount":125,"currency":"EUR"}';
  const post = await signedMessage(scenario, 'POST', '/orders', body);
  const created = await send(base, post);
  assert.equal(created.status, 200, created.text);
  assert.deepEqual(created.json, { workload: CALLER_ID, body: { amount: 125, currency: 'EUR' }, backend });
  passed.push('signed POST with a body accepted, the body still readable by the handler');

  const tampered = await signedMessage(scenario, 'POST', '/orders', body);
  expectProblem(
    await send(base, tampered, new TextEncoder().encode(body.replace('125', '999'))),
    400,
    'digest_mismatch',
  );
  passed.push('tampered body: 400 digest_mismatch');

  expectProblem(await send(replayBase, get), 400, 'replay');
  passed.push('replayed nonce: 400 replay');

  expectProblem(
    await send(base, await signedMessage(scenario, 'GET', '/orders', undefined, scenario.forgedWit)),
    400,
    'wit_invalid',
  );
  passed.push('forged WIT: 400 wit_invalid');

  // The guard accepts WPTs too by default: no credential at all is 401 with WWW-Authenticate.
  expectProblem(await send(base, { method: 'GET', path: '/orders', headers: {} }), 401, 'credentials_missing');
  passed.push('no credentials: 401 credentials_missing');
  return passed;
}
