import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createWimseFetch,
  ResponseVerificationError,
  responderOf,
  type SentRequest,
  type WimseFetch,
} from '@wimse-pep/client';
import { generateTestKey } from '../../../test/support/index.js';
import {
  CALLER_ID,
  rejectsWithCode,
  SERVER_ID,
  startTestService,
  type TestService,
  TestTrust,
} from './support/test-service.js';

const trust = new TestTrust();
const callerKey = generateTestKey('ES256');
let service: TestService;
let wit: string;
const sent: SentRequest[] = [];

function clientFor(expectedId?: string): WimseFetch {
  return createWimseFetch({
    credentials: { wit, privateKey: callerKey.privateKey },
    requireSignedResponse: { verifier: trust.responseVerifier(), ...(expectedId ? { expectedId } : {}) },
    onRequest: (request) => sent.push(request),
  });
}

before(async () => {
  service = await startTestService(trust);
  wit = await trust.wit(CALLER_ID, callerKey);
});
after(() => service.close());

describe('requireSignedResponse: the client verifies the callee', () => {
  it('a correctly signed response resolves, body readable, responder identity exposed', async () => {
    service.mode = 'sign';
    const response = await clientFor(SERVER_ID)(`${service.origin}/orders?id=7`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item":"cone"}',
    });
    assert.equal(response.status, 200);
    assert.equal(response.url, `${service.origin}/orders?id=7`);
    assert.deepEqual(((await response.json()) as { id: string }).id, CALLER_ID);
    const responder = responderOf(response);
    assert.equal(responder?.id, SERVER_ID);
    assert.equal(responder?.proof, 'signed-response');
    assert.equal(responder?.trustDomain, 'td.example');
    // The request asked for it, and the response echoed the request nonce.
    const input = String(service.seen.at(-1)?.headers['signature-input']);
    assert.match(input, /;wimse-sign-response/);
    assert.match(
      String(response.headers.get('signature-input')),
      new RegExp(`wimse-req-nonce="${sent.at(-1)?.nonce}"`),
    );
  });

  it('without expectedId any trusted responder is accepted', async () => {
    service.mode = 'sign';
    const response = await clientFor()(`${service.origin}/ping`);
    assert.equal(responderOf(response)?.id, SERVER_ID);
  });

  it('a response obtained without requireSignedResponse has no responder', async () => {
    const plain = createWimseFetch({ credentials: { wit, privateKey: callerKey.privateKey } });
    const response = await plain(`${service.origin}/ping`);
    assert.equal(response.status, 200);
    assert.equal(responderOf(response), undefined);
  });

  it('[R5] a server that does not sign: the fetch rejects with signature_missing', async () => {
    service.mode = 'unsigned';
    const error = await rejectsWithCode<ResponseVerificationError>(
      clientFor(SERVER_ID)(`${service.origin}/orders`),
      'signature_missing',
    );
    assert.ok(error instanceof ResponseVerificationError);
    assert.equal(error.response.status, 200);
    assert.match(await error.response.text(), /service\/caller/, 'the unverified response stays readable');
  });

  it('[R5] a response whose signature a middlebox stripped: signature_missing', async () => {
    service.mode = 'strip-signature';
    await rejectsWithCode(clientFor(SERVER_ID)(`${service.origin}/orders`), 'signature_missing');
  });

  it("[R4] a response signed with a key other than the responder WIT's: signature_invalid", async () => {
    service.mode = 'wrong-key';
    await rejectsWithCode(clientFor(SERVER_ID)(`${service.origin}/orders`), 'signature_invalid');
  });

  it('[R2] a wrong wimse-req-nonce: signature_invalid', async () => {
    service.mode = 'wrong-nonce';
    const error = await rejectsWithCode(clientFor(SERVER_ID)(`${service.origin}/orders`), 'signature_invalid');
    assert.match(error.message, /wimse-req-nonce/);
  });

  it('[R6] a response from an unexpected server identity: unexpected_responder', async () => {
    service.mode = 'sign';
    await rejectsWithCode(
      clientFor('wimse://td.example/service/payments')(`${service.origin}/orders`),
      'unexpected_responder',
    );
  });

  it('[R6] expectedId per target URL', async () => {
    service.mode = 'sign';
    const client = createWimseFetch({
      credentials: { wit, privateKey: callerKey.privateKey },
      requireSignedResponse: {
        verifier: trust.responseVerifier(),
        expectedId: (url) => (url.pathname.startsWith('/payments') ? 'wimse://td.example/service/payments' : SERVER_ID),
      },
    });
    assert.equal((await client(`${service.origin}/orders`)).status, 200);
    await rejectsWithCode(client(`${service.origin}/payments`), 'unexpected_responder');
  });

  it('a body changed after signing: digest_mismatch', async () => {
    service.mode = 'tamper-body';
    await rejectsWithCode(clientFor(SERVER_ID)(`${service.origin}/orders`), 'digest_mismatch');
  });

  it('a responder whose own WIT comes from an untrusted issuer: wit_invalid', async () => {
    const rogue = await startTestService(trust, { witIssuer: new TestTrust() });
    try {
      await rejectsWithCode(clientFor()(`${rogue.origin}/orders`), 'wit_invalid');
    } finally {
      await rogue.close();
    }
  });

  it('an unsigned error answer names the server problem in the message', async () => {
    service.mode = 'sign';
    const client = createWimseFetch({
      credentials: { wit, privateKey: callerKey.privateKey },
      audience: 'https://elsewhere.example/x',
      requireSignedResponse: { verifier: trust.responseVerifier() },
    });
    const error = await rejectsWithCode(client(`${service.origin}/orders`), 'signature_missing');
    assert.match(error.message, /the server answered 400 audience_mismatch/);
  });
});
