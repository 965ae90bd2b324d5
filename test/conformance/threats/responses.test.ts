/**
 * Threat rows R1-R6: signed responses, from the caller's side (`verifier.verifyResponse`). The
 * callee signs with its own WIT key (`signResponse`); the attacks alter or replace what comes
 * back.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createVerifier, createWorkloadGuard, type WorkloadRequest } from '@wimse-pep/core';
import {
  contentDigest,
  createSignatureFields,
  profiles,
  resolveSigningKey,
  type SignedResponse,
  signResponse,
} from '@wimse-pep/core/signing';
import type { BareItem, InnerList } from 'structured-headers';
import {
  generateTestKey,
  httpSignatureIdentity,
  NOW_SEC,
  now,
  signedWorkloadRequest,
  type TestKeyPair,
} from '../../support/index.js';
import { expectWimseError } from '../helpers.js';
import { type AttackFixture, attackFixture } from './setup.js';

const SERVER_ID = 'wimse://td.example/service/orders';
let f: AttackFixture;
let serverKey: TestKeyPair;
let serverWit: string;
before(async () => {
  // The requester's key is ES256 like the server's, so that it can sign "as" the server (R4).
  f = await attackFixture({ workloadAlg: 'ES256' });
  serverKey = generateTestKey('ES256');
  serverWit = await f.wit({ sub: SERVER_ID, cnfJwk: serverKey.publicJwk });
});

const body = new TextEncoder().encode('{"status":"shipped"}');

/** A signed request, verified by the callee, and the callee's genuine signed response. */
async function exchange(target = '/orders?id=7') {
  const request = await signedWorkloadRequest(f.scenario, { target }, { signResponse: true });
  const identity = httpSignatureIdentity(await createVerifier(f.scenario.options).verify(request));
  const plain = { status: 200, headers: { 'content-type': 'application/json' }, body };
  const added = await signResponse(
    plain,
    request,
    resolveSigningKey({ wit: serverWit, privateKey: serverKey.privateKey }),
    {
      profile: profiles['http-sig-07'],
      requestNonce: identity.nonce,
      now,
    },
  );
  const response: SignedResponse & { headers: Record<string, string> } = {
    ...plain,
    headers: { ...plain.headers, ...added },
  };
  return { request, nonce: identity.nonce, response };
}

/** A response with a Signature-Input shaped by the attack, signed by `key` over `wit`. */
async function craftedResponse(
  request: WorkloadRequest,
  requestNonce: string,
  change: { components?: string[]; params?: Record<string, BareItem | undefined>; key?: TestKeyPair; wit?: string },
): Promise<SignedResponse> {
  const wit = change.wit ?? serverWit;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-digest': contentDigest(body),
    'workload-identity-token': wit,
  };
  const names = change.components ?? [
    '@status',
    'workload-identity-token',
    'content-type',
    'content-digest',
    '@method;req',
    '@path;req',
    '@query;req',
  ];
  const params = new Map<string, BareItem>();
  const defaults: Record<string, BareItem | undefined> = {
    created: NOW_SEC,
    expires: NOW_SEC + 60,
    nonce: `resp-${Math.random()}`,
    tag: 'wimse-workload-to-workload',
    'wimse-req-nonce': requestNonce,
  };
  for (const [name, value] of Object.entries({ ...defaults, ...change.params }))
    if (value !== undefined) params.set(name, value);
  const input: InnerList = [
    names.map((name) => {
      const [id = '', flag] = name.split(';');
      return [id, new Map(flag ? [[flag, true]] : [])];
    }),
    params,
  ];
  const key = change.key ?? serverKey;
  const signing = resolveSigningKey({ wit, privateKey: key.privateKey });
  const message = { kind: 'response', response: { status: 200, headers }, request } as const;
  return {
    status: 200,
    headers: { ...headers, ...(await createSignatureFields(input, message, signing, 'sig1')) },
    body,
  };
}

const verifyResponse = (
  response: SignedResponse,
  request: WorkloadRequest,
  requestNonce: string,
  expectedId?: string,
) => createVerifier(f.scenario.options).verifyResponse(response, request, { requestNonce, expectedId });

describe('R1: a response is bound to its request', () => {
  it('[R1] control: the genuine response verifies against its request', async () => {
    const { request, nonce, response } = await exchange();
    const responder = await verifyResponse(response, request, nonce, SERVER_ID);
    assert.equal(responder.id, SERVER_ID);
  });
  it('[R1] a genuine response lifted onto another request (other target, other method) is refused', async () => {
    const { request, nonce, response } = await exchange('/orders?id=7');
    await expectWimseError(
      verifyResponse(response, { ...request, target: '/orders?id=8' }, nonce),
      'signature_invalid',
    );
    await expectWimseError(verifyResponse(response, { ...request, method: 'DELETE' }, nonce), 'signature_invalid');
  });
  it('[R1] a response that does not cover the ;req components is refused', async () => {
    const { request, nonce } = await exchange();
    const response = await craftedResponse(request, nonce, {
      components: ['@status', 'workload-identity-token', 'content-type', 'content-digest'],
    });
    await expectWimseError(verifyResponse(response, request, nonce), 'signature_profile', { messageIncludes: ';req' });
  });
});

describe('R2: wimse-req-nonce', () => {
  it('[R2] a response carrying another request nonce is refused', async () => {
    const { request, nonce, response } = await exchange();
    await expectWimseError(verifyResponse(response, request, `${nonce}-other`), 'signature_invalid', {
      messageIncludes: 'wimse-req-nonce',
    });
  });
  it('[R2] a response without wimse-req-nonce is refused', async () => {
    const { request, nonce } = await exchange();
    const response = await craftedResponse(request, nonce, { params: { 'wimse-req-nonce': undefined } });
    await expectWimseError(verifyResponse(response, request, nonce), 'signature_profile', {
      messageIncludes: 'wimse-req-nonce',
    });
  });
  it('[R2] an old response replayed for a new request to the same target is refused', async () => {
    const first = await exchange('/orders?id=7');
    const second = await exchange('/orders?id=7');
    await expectWimseError(verifyResponse(first.response, second.request, second.nonce), 'signature_invalid');
  });
});

describe('R3: the response profile', () => {
  const cases: [string, Record<string, BareItem | undefined>][] = [
    ['wimse-aud', { 'wimse-aud': 'https://orders.internal.example/orders' }],
    ['wimse-sign-response', { 'wimse-sign-response': true }],
    ['alg', { alg: 'ecdsa-p256-sha256' }],
    ['keyid', { keyid: 'wimse' }],
    ['no created', { created: undefined }],
    ['no expires', { expires: undefined }],
    ['no nonce', { nonce: undefined }],
    ['no tag', { tag: undefined }],
    ['the legacy tag', { tag: 'wimse-service-to-service' }],
    ['a lifetime of an hour', { expires: NOW_SEC + 3600 }],
  ];
  for (const [name, params] of cases) {
    it(`[R3] a response signature with ${name} is refused`, async () => {
      const { request, nonce } = await exchange();
      await expectWimseError(
        verifyResponse(await craftedResponse(request, nonce, { params }), request, nonce),
        'signature_profile',
      );
    });
  }
  it('[R3] a response body swapped under its signed Content-Digest is refused', async () => {
    const { request, nonce, response } = await exchange();
    await expectWimseError(
      verifyResponse({ ...response, body: new TextEncoder().encode('{"status":"cancelled"}') }, request, nonce),
      'digest_mismatch',
    );
  });
});

describe("R4: the responder's own key", () => {
  it("[R4] a response carrying the server WIT but signed with the requester's key is refused", async () => {
    const { request, nonce } = await exchange();
    const response = await craftedResponse(request, nonce, {
      key: f.scenario.workloadKey as TestKeyPair,
      wit: serverWit,
    });
    await expectWimseError(verifyResponse(response, request, nonce), 'signature_invalid');
  });
  it("[R4] a response whose WIT was swapped for the requester's after signing is refused", async () => {
    const { request, nonce, response } = await exchange();
    const swapped = { ...response, headers: { ...response.headers, 'workload-identity-token': f.scenario.wit } };
    await expectWimseError(verifyResponse(swapped, request, nonce), 'signature_invalid');
  });
  it('[R4] a response whose WIT is forged (not from a trusted issuer) is refused before its key is used', async () => {
    const { request, nonce } = await exchange();
    const attacker = generateTestKey('ES256');
    const forged = await f.wit({ sub: SERVER_ID, cnfJwk: attacker.publicJwk, signingKey: attacker.privateKey });
    const response = await craftedResponse(request, nonce, { key: attacker, wit: forged });
    await expectWimseError(verifyResponse(response, request, nonce), 'wit_invalid');
  });
});

describe('R5: an unsigned response', () => {
  it('[R5] a response whose signature fields were stripped is refused', async () => {
    const { request, nonce, response } = await exchange();
    const { signature: _s, 'signature-input': _i, ...headers } = response.headers;
    await expectWimseError(verifyResponse({ ...response, headers }, request, nonce), 'signature_missing');
  });
  it('[R5] a response with every WIMSE field stripped is refused', async () => {
    const { request, nonce, response } = await exchange();
    await expectWimseError(
      verifyResponse(
        { status: 200, headers: { 'content-type': 'application/json' }, body: response.body },
        request,
        nonce,
      ),
      'signature_missing',
    );
  });
});

describe('R5: the callee side', () => {
  it('[R5] a service without response signing refuses a request that requires it (501, before any handler)', async () => {
    const guard = createWorkloadGuard({ verifier: f.scenario.options });
    const request = await signedWorkloadRequest(f.scenario, {}, { signResponse: true });
    const error = await expectWimseError(
      guard.authenticate(request, { route: '/orders' }),
      'response_signing_unavailable',
    );
    assert.equal(error.status, 501);
  });
  it('[R5] a service whose signing key fails answers 501 instead of an unsigned success', async () => {
    const guard = createWorkloadGuard({
      verifier: f.scenario.options,
      responseSigning: { credentials: () => Promise.reject(new Error('key store down')) },
    });
    const request = await signedWorkloadRequest(f.scenario, {}, { signResponse: true });
    const identity = await guard.authenticate(request, { route: '/orders' });
    await expectWimseError(
      guard.signResponse(identity, request, { status: 200, headers: {} }),
      'response_signing_unavailable',
    );
  });
});

describe('R6: the expected peer', () => {
  it('[R6] a genuine response signed by another workload than the one called is refused', async () => {
    const otherKey = generateTestKey('ES256');
    const otherWit = await f.wit({ sub: 'wimse://td.example/service/payments', cnfJwk: otherKey.publicJwk });
    const { request, nonce } = await exchange();
    const response = await craftedResponse(request, nonce, { key: otherKey, wit: otherWit });
    const responder = await verifyResponse(response, request, nonce);
    assert.equal(responder.id, 'wimse://td.example/service/payments');
    await expectWimseError(verifyResponse(response, request, nonce, SERVER_ID), 'unexpected_responder');
  });
});
