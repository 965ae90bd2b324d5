/**
 * The final examples of draft-ietf-wimse-http-signature-07, section 3.7 (test/fixtures/vectors/
 * http-sig-07-final): a GET from svcA to svcB with a signed 404, a POST with Content-Digest from svcB
 * to svcC with a signed 409; Ed25519 (RFC 9864 `"alg":"Ed25519"`) for svcA and svcB, ES256 for svcC.
 * Every check runs under DEFAULT options (only the trust domain, its issuer key and the audience are
 * configured) at a clock ten seconds after the examples were signed.
 *
 * The WIT issuer key was never published, so the whole pipeline runs on each WIT re-signed by a test
 * issuer with its header and claims byte for byte as published; the message is then re-signed with
 * the published workload key under exactly the published components and parameters.
 */
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe } from 'node:test';
import { createVerifier, type HttpSignatureIdentity, type VerifierOptions } from '@wimse-pep/core';
import {
  createSignatureFields,
  profiles,
  type RequestParts,
  resolveSigningKey,
  type SignedMessage,
} from '@wimse-pep/core/signing';
import { decodeJwt } from 'jose';
import { type InnerList, parseDictionary } from 'structured-headers';
import { verifyRequestSignature } from '../../../packages/core/src/httpsig/verify-request-signature.js';
import { verifyResponseSignature } from '../../../packages/core/src/httpsig/verify-response-signature.js';
import { generateTestKey, parseHttpMessage, readVectorJson, VECTORS_DIR } from '../../support/index.js';
import { cnfKeyOf, confirmationKey, verifyCryptoOnly } from '../helpers.js';
import { vectorTest } from '../vector-test.js';

type Jwk = Record<string, string>;
type Headers = Record<string, string[]>;

const DIR = 'http-sig-07-final/';
const keys = {
  svcA: readVectorJson<Jwk>(`${DIR}keys/svcA-private.jwk.json`),
  svcB: readVectorJson<Jwk>(`${DIR}keys/svcB-private.jwk.json`),
  svcC: readVectorJson<Jwk>(`${DIR}keys/svcC-private.jwk.json`),
};

function readMessage(name: string) {
  const message = parseHttpMessage(readFileSync(new URL(`${DIR}messages/${name}.http.txt`, VECTORS_DIR), 'utf8'));
  return { startLine: message.startLine, headers: message.headers, body: message.body };
}
function readRequest(name: string) {
  const { startLine, headers, body } = readMessage(name);
  const [method = '', target = ''] = startLine.split(' ');
  return { method, target, headers, body };
}
function readResponse(name: string) {
  const { startLine, headers, body } = readMessage(name);
  return { status: Number(startLine.split(' ')[1]), headers, body };
}

const requests = {
  aToB: readRequest('request-svcA-to-svcB'),
  bToC: readRequest('request-svcB-to-svcC'),
};
const responses = {
  bToA: readResponse('response-svcB-to-svcA'),
  cToB: readResponse('response-svcC-to-svcB'),
};

const first = (headers: Headers, name: string): string => {
  const value = headers[name]?.[0];
  assert.ok(value !== undefined, `no ${name}`);
  return value;
};
const createdOf = (headers: Headers): number => Number(/created=(\d+)/.exec(first(headers, 'signature-input'))?.[1]);
/** Ten seconds after the examples were signed (they all carry created=1789405135). */
const clockSec = createdOf(requests.aToB.headers) + 10;

/** The test issuer that stands in for the unpublished "issuer-key". */
const testIssuer = generateTestKey('EdDSA');
const testIssuerJwk = { ...testIssuer.publicJwk, alg: 'Ed25519', kid: 'issuer-key' };

/** Default options: nothing but the trust domain, its issuer, the audience and the example's clock. */
const defaults = (audience: string, issuerJwk: Record<string, unknown> = testIssuerJwk): VerifierOptions => ({
  trustDomains: [
    { trustDomain: 'example.com', issuers: [{ issuer: 'https://example.com/issuer', jwks: { keys: [issuerJwk] } }] },
  ],
  audiences: [audience],
  now: () => clockSec * 1000,
});
const defaultSettings = createVerifier(defaults('https://svcb.example.com')).settings;
const defaultWindow = (created: number) => ({
  nowSec: created + 10,
  clockToleranceSec: defaultSettings.clockToleranceSec,
  maxLifetimeSec: defaultSettings.maxSignatureLifetimeSec,
});

/** The published WIT with its header and claims unchanged, signed by the test issuer instead. */
function resignWit(published: string): string {
  const [header, claims] = published.split('.');
  const input = `${header}.${claims}`;
  return `${input}.${sign(null, Buffer.from(input), testIssuer.privateKey).toString('base64url')}`;
}

/** The published message with `wit` in place of its WIT, signed again with the same components and parameters. */
async function resign<M extends { headers: Headers }>(
  message: M,
  wit: string,
  privateJwk: Jwk,
  signed: (headers: Headers) => SignedMessage,
): Promise<M> {
  const published = parseDictionary(first(message.headers, 'signature-input')).get('sig1');
  assert.ok(published && Array.isArray(published[0]), 'no sig1 member');
  const headers: Headers = { ...message.headers, 'workload-identity-token': [wit] };
  const key = resolveSigningKey({ wit, privateKey: privateJwk });
  const fields = await createSignatureFields(published as InnerList, signed(headers), key, 'sig1');
  return {
    ...message,
    headers: { ...headers, 'signature-input': [fields['signature-input']], signature: [fields.signature] },
  };
}
const asRequest = (request: RequestParts) => (headers: Headers) =>
  ({ kind: 'request', request: { ...request, headers } }) as const;
const asResponse = (response: { status: number }, request: RequestParts) => (headers: Headers) =>
  ({ kind: 'response', response: { status: response.status, headers }, request }) as const;

describe('http-signature-07 final examples (3.7): requests', () => {
  const cases = [
    { name: 'request-svcA-to-svcB', request: requests.aToB, key: keys.svcA, audience: 'https://svcb.example.com' },
    { name: 'request-svcB-to-svcC', request: requests.bToC, key: keys.svcB, audience: 'https://svcc.example.com' },
  ] as const;
  for (const { name, request, key, audience } of cases) {
    const wit = first(request.headers, 'workload-identity-token');
    vectorTest(`httpsig-07-final/${name}/signature`, () =>
      verifyCryptoOnly({ kind: 'request', request }, confirmationKey(key)),
    );
    vectorTest(`httpsig-07-final/${name}@http-sig-07`, () =>
      verifyRequestSignature(request, {
        profile: profiles['http-sig-07'],
        key: cnfKeyOf(wit),
        audiences: [audience],
        window: defaultWindow(createdOf(request.headers)),
      }),
    );
    vectorTest(
      `httpsig-07-final/${name}@pipeline`,
      async () => {
        const resigned = await resign(request, resignWit(wit), key, asRequest(request));
        return createVerifier(defaults(audience)).verify(resigned);
      },
      {
        check: (value) => {
          const identity = value as HttpSignatureIdentity;
          assert.equal(identity.id, decodeJwt(wit).sub);
          assert.equal(identity.signatureLabel, 'sig1');
          assert.equal(identity.signResponse, true);
          assert.equal(identity.expires - identity.created, request === requests.aToB ? 300 : 302);
        },
      },
    );
    vectorTest(`httpsig-07-final/${name}/published-wit`, () => createVerifier(defaults(audience)).verify(request));
    vectorTest(`httpsig-07-final/${name}/reproduced`, async () => {
      const again = await resign(request, wit, key, asRequest(request));
      assert.equal(first(again.headers, 'signature'), first(request.headers, 'signature'));
      assert.equal(first(again.headers, 'signature-input'), first(request.headers, 'signature-input'));
    });
  }
});

describe('http-signature-07 final examples (3.7): signed responses', () => {
  const cases = [
    {
      name: 'response-svcB-to-svcA',
      response: responses.bToA,
      request: requests.aToB,
      key: keys.svcB,
      nonce: 'abcd1111',
    },
    {
      name: 'response-svcC-to-svcB',
      response: responses.cToB,
      request: requests.bToC,
      key: keys.svcC,
      nonce: 'abcd3333',
    },
  ] as const;
  for (const { name, response, request, key, nonce } of cases) {
    const wit = first(response.headers, 'workload-identity-token');
    vectorTest(`httpsig-07-final/${name}/signature`, () =>
      verifyCryptoOnly({ kind: 'response', response, request }, confirmationKey(key)),
    );
    vectorTest(`httpsig-07-final/${name}@http-sig-07`, () =>
      verifyResponseSignature(response, request, {
        profile: profiles['http-sig-07'],
        key: cnfKeyOf(wit),
        requestNonce: nonce,
        window: defaultWindow(createdOf(response.headers)),
      }),
    );
    vectorTest(
      `httpsig-07-final/${name}@pipeline`,
      async () => {
        const resigned = await resign(response, resignWit(wit), key, asResponse(response, request));
        return createVerifier(defaults('https://svca.example.com')).verifyResponse(resigned, request, {
          requestNonce: nonce,
          expectedId: String(decodeJwt(wit).sub),
        });
      },
      { check: (value) => assert.equal((value as { id: string }).id, decodeJwt(wit).sub) },
    );
    vectorTest(`httpsig-07-final/${name}/published-wit`, () =>
      createVerifier(defaults('https://svca.example.com')).verifyResponse(response, request, { requestNonce: nonce }),
    );
    if (key.alg === 'Ed25519') {
      vectorTest(`httpsig-07-final/${name}/reproduced`, async () => {
        const again = await resign(response, wit, key, asResponse(response, request));
        assert.equal(first(again.headers, 'signature'), first(response.headers, 'signature'));
      });
    }
  }
});
