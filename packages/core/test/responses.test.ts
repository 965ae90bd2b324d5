import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { createVerifier, type WorkloadVerifier } from '@wimse-pep/core';
import {
  createSignatureFields,
  profiles,
  type RequestParts,
  resolveSigningKey,
  type SignedResponse,
  signResponse,
} from '@wimse-pep/core/signing';
import type { BareItem, InnerList } from 'structured-headers';
import {
  AUDIENCE,
  createScenario,
  generateTestKey,
  httpSignatureIdentity,
  ISSUER,
  mintWit,
  NOW_SEC,
  now,
  parseHttpMessage,
  readRequestVector,
  readVectorJson,
  type Scenario,
  signedWorkloadRequest,
} from '../../../test/support/index.js';
import { verifyResponseSignature } from '../src/httpsig/verify-response-signature.js';
import { importCnfKey } from '../src/wit/import-cnf-key.js';
import { rejectsWith } from './helpers.js';

const SERVER_ID = 'wimse://td.example/service/orders';
let caller: Scenario;
let serverWit: string;
const serverKey = generateTestKey('ES256');
let verifier: WorkloadVerifier;

before(async () => {
  caller = await createScenario();
  serverWit = await mintWit({
    issuerKey: caller.issuerKey,
    kid: 'issuer-1',
    sub: SERVER_ID,
    cnfJwk: serverKey.publicJwk,
    iat: NOW_SEC - 60,
    exp: NOW_SEC + 3600,
    iss: ISSUER,
  });
  verifier = createVerifier(caller.options);
});

const serverSigningKey = () => resolveSigningKey({ wit: serverWit, privateKey: serverKey.privateKey });
const body = new TextEncoder().encode('{"status":"shipped"}');

async function exchange() {
  const request = await signedWorkloadRequest(caller, { target: '/orders?id=7' }, { signResponse: true });
  const identity = httpSignatureIdentity(await verifier.verify(request));
  const response = { status: 200, headers: { 'content-type': 'application/json' }, body };
  const added = await signResponse(response, request, serverSigningKey(), {
    profile: profiles['http-sig-07'],
    requestNonce: identity.nonce,
    now,
  });
  return { request, identity, response: { ...response, headers: { ...response.headers, ...added } } };
}

/** A response signed by the server key with a Signature-Input shaped by the test. */
async function customResponse(
  request: RequestParts,
  requestNonce: string,
  change: { components?: string[]; params?: Record<string, BareItem | undefined>; key?: typeof serverKey },
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'workload-identity-token': serverWit };
  headers['content-digest'] = (await import('@wimse-pep/core/signing')).contentDigest(body);
  const names = change.components ?? [
    '@status',
    'workload-identity-token',
    'content-type',
    'content-digest',
    '@method;req',
    '@path;req',
    '@query;req',
  ];
  const components = names.map((name) => {
    const [id = '', req] = name.split(';');
    return [id, new Map(req ? [[req, true]] : [])] as [string, Map<string, BareItem>];
  });
  const params = new Map<string, BareItem>();
  const defaults = {
    created: NOW_SEC,
    expires: NOW_SEC + 60,
    nonce: 'resp-nonce',
    tag: 'wimse-workload-to-workload',
    'wimse-req-nonce': requestNonce,
  };
  for (const [name, value] of Object.entries({ ...defaults, ...change.params }))
    if (value !== undefined) params.set(name, value);
  const input: InnerList = [components, params];
  const key = resolveSigningKey({
    wit: serverWit,
    privateKey: (change.key ?? serverKey).privateKey,
    alg: (change.key ?? serverKey).alg,
  });
  const fields = await createSignatureFields(
    input,
    { kind: 'response', response: { status: 200, headers }, request },
    key,
    'sig1',
  );
  return { status: 200, headers: { ...headers, ...fields }, body } satisfies SignedResponse;
}

describe('signed responses: round trip', () => {
  it('a response signed by the callee verifies against the request it answers', async () => {
    const { request, identity, response } = await exchange();
    const responder = await verifier.verifyResponse(response, request, {
      requestNonce: identity.nonce,
      expectedId: SERVER_ID,
    });
    assert.equal(responder.id, SERVER_ID);
    assert.deepEqual(responder.coveredComponents, [
      '"@status"',
      '"workload-identity-token"',
      '"content-type"',
      '"content-digest"',
      '"@method";req',
      '"@path";req',
      '"@query";req',
    ]);
  });
});

describe('signed responses: attacks R1 to R6', () => {
  it('[R1] a genuine response lifted onto another request fails', async () => {
    const { identity, response, request } = await exchange();
    const other = { ...request, target: '/orders?id=8' };
    await rejectsWith(verifier.verifyResponse(response, other, { requestNonce: identity.nonce }), 'signature_invalid');
  });
  it('[R1] a response that does not cover the ;req components is refused', async () => {
    const { request, identity } = await exchange();
    const response = await customResponse(request, identity.nonce, {
      components: ['@status', 'workload-identity-token', 'content-type', 'content-digest'],
    });
    await rejectsWith(
      verifier.verifyResponse(response, request, { requestNonce: identity.nonce }),
      'signature_profile',
    );
  });
  it('[R2] a wrong wimse-req-nonce is refused', async () => {
    const { request, response } = await exchange();
    await rejectsWith(
      verifier.verifyResponse(response, request, { requestNonce: 'another-nonce' }),
      'signature_invalid',
    );
  });
  it('[R2] a missing wimse-req-nonce is refused', async () => {
    const { request, identity } = await exchange();
    const response = await customResponse(request, identity.nonce, { params: { 'wimse-req-nonce': undefined } });
    await rejectsWith(
      verifier.verifyResponse(response, request, { requestNonce: identity.nonce }),
      'signature_profile',
    );
  });
  for (const [name, params] of [
    ['wimse-aud', { 'wimse-aud': `${AUDIENCE}/orders` }],
    ['alg', { alg: 'ecdsa-p256-sha256' }],
    ['keyid', { keyid: 'wimse' }],
    ['no created', { created: undefined }],
    ['no nonce', { nonce: undefined }],
    ['a wrong tag', { tag: 'wimse-service-to-service' }],
  ] as const) {
    it(`[R3] a response signature with ${name} is refused`, async () => {
      const { request, identity } = await exchange();
      const response = await customResponse(request, identity.nonce, { params });
      await rejectsWith(
        verifier.verifyResponse(response, request, { requestNonce: identity.nonce }),
        'signature_profile',
      );
    });
  }
  it("[R4] a response signed with a key other than the responder WIT's is refused", async () => {
    const { request, identity } = await exchange();
    const response = await customResponse(request, identity.nonce, { key: generateTestKey('ES256') });
    await rejectsWith(
      verifier.verifyResponse(response, request, { requestNonce: identity.nonce }),
      'signature_invalid',
    );
  });
  it('[R5] an unsigned response is refused', async () => {
    const { request, identity } = await exchange();
    const unsigned = {
      status: 200,
      headers: { 'content-type': 'application/json', 'workload-identity-token': serverWit },
      body,
    };
    await rejectsWith(
      verifier.verifyResponse(unsigned, request, { requestNonce: identity.nonce }),
      'signature_missing',
    );
  });
  it('[R6] a response from an unexpected server identity is refused', async () => {
    const { request, identity, response } = await exchange();
    await rejectsWith(
      verifier.verifyResponse(response, request, {
        requestNonce: identity.nonce,
        expectedId: 'wimse://td.example/service/payments',
      }),
      'unexpected_responder',
    );
  });
});

describe('the http-signature-06 response vector', () => {
  it('verifies under -06 against its request, with the callee key and wimse-req-nonce', async () => {
    const request = readRequestVector('httpsig-06-request.http.txt');
    const message = parseHttpMessage(
      readFileSync(new URL('../../../test/fixtures/vectors/httpsig-06-response.http.txt', import.meta.url), 'utf8'),
    );
    const status = Number(message.startLine.split(' ')[1]);
    const keys = readVectorJson<{ callee_svcB_private_jwk: Record<string, string> }>('httpsig-06-keys.json');
    const { d: _d, ...publicJwk } = keys.callee_svcB_private_jwk;
    const body = new TextEncoder().encode('No ice cream today.\n\n');
    const verified = await verifyResponseSignature({ status, headers: message.headers, body }, request, {
      profile: profiles['http-sig-06'],
      key: importCnfKey({ jwk: publicJwk }),
      requestNonce: 'abcd1111',
      window: { nowSec: 1785155797 + 5, clockToleranceSec: 60, maxLifetimeSec: 310 },
    });
    assert.equal(verified.params.requestNonce, 'abcd1111');
  });
});
