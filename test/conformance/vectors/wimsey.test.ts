/**
 * The kanywst/wimsey conformance vectors: format v4 HTTP-signature suites (EdDSA, ES256; spec
 * http-signature-06, so checked under the -06 compatibility profile, and shown refused by -07),
 * the format v2 WIT suite, and the older format v1 suites. Each negative must be refused for the
 * reason it names, mapped to our codes by wimsey-codes.ts.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  createVerifier,
  type HttpSignatureIdentity,
  type ProfileName,
  type VerifierOptions,
  type WorkloadRequest,
} from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import { decodeJwt, importJWK, jwtVerify } from 'jose';
import { checkContentDigest } from '../../../packages/core/src/digest/check-content-digest.js';
import { verifyRequestSignature } from '../../../packages/core/src/httpsig/verify-request-signature.js';
import { wptProfiles } from '../../../packages/core/src/profiles/wpt-profiles.js';
import { buildTrustRegistry } from '../../../packages/core/src/trust/build-trust-registry.js';
import type { TrustDomainOptions } from '../../../packages/core/src/trust/trust-options.js';
import { verifyWit } from '../../../packages/core/src/wit/verify-wit.js';
import { verifyWptToken } from '../../../packages/core/src/wpt/verify-wpt-token.js';
import { readVectorJson } from '../../support/index.js';
import {
  confirmationKey,
  ed25519Jwk,
  ed25519PublicFromSeed,
  headersFromPairs,
  publicJwk,
  utf8,
  verifyCryptoOnly,
} from '../helpers.js';
import { vectorRow } from '../vector-table.js';
import { vectorTest } from '../vector-test.js';

interface WimseyRequest {
  method: string;
  authority: string;
  path: string;
  query: string | null;
  headers: [string, string][];
}
interface HttpsigNegative {
  id: string;
  expect: string;
  signature_input?: string;
  signature?: string;
  request?: WimseyRequest;
  body?: string;
  verify_now?: number;
  max_age?: number;
  accept_audience?: string;
  accept_label?: string;
  required_components?: string[];
  wit?: string;
  expected_req_nonce?: string;
}
interface HttpsigVector {
  issuer_verifying_key: Record<string, string>;
  verify_now: number;
  request: WimseyRequest;
  body: string;
  wit: string;
  signature_input: string;
  signature: string;
  negative: HttpsigNegative[];
  accepted: HttpsigNegative[];
  response: {
    wit: string;
    status: number;
    headers: [string, string][];
    body: string;
    signature_input: string;
    signature: string;
    expected_req_nonce: string;
    negative: HttpsigNegative[];
  };
}

const ISSUER = 'https://issuer.example';
const trustFor = (issuerJwk: Record<string, string>, issuer = ISSUER): TrustDomainOptions[] => [
  {
    trustDomain: 'example.org',
    issuers: [
      {
        issuer,
        origins: ['spiffe://example.org'],
        jwks: { keys: [{ ...publicJwk(issuerJwk), kid: 'issuer-key-1' }] },
        algorithms: ['ES256', 'EdDSA'],
      },
    ],
  },
];

const targetOf = (request: WimseyRequest) => `${request.path}${request.query === null ? '' : `?${request.query}`}`;

/** The request a vector (with a negative's overrides) describes, as the core receives it. */
function requestOf(vector: HttpsigVector, over: HttpsigNegative | undefined): WorkloadRequest {
  const request = over?.request ?? vector.request;
  const headers: Record<string, string[]> = {
    ...headersFromPairs(request.headers),
    host: [request.authority],
    'signature-input': [over?.signature_input ?? vector.signature_input],
    signature: [over?.signature ?? vector.signature],
  };
  if (over?.required_components?.includes('"authorization"')) headers.authorization = ['Bearer not-covered'];
  return { method: request.method, target: targetOf(request), headers, body: utf8(over?.body ?? vector.body) };
}

function optionsFor(vector: HttpsigVector, over: HttpsigNegative | undefined, profile: ProfileName): VerifierOptions {
  return {
    trustDomains: trustFor(vector.issuer_verifying_key),
    audiences: [over?.accept_audience ? new URL(over.accept_audience).origin : 'https://service.example'],
    profile,
    clockToleranceSec: 0,
    maxSignatureLifetimeSec: over?.max_age ?? 300,
    now: () => (over?.verify_now ?? vector.verify_now) * 1000,
  };
}

/** The WIT of a vector, verified at the vector's own clock (the key is taken from it, never given). */
function verifiedWit(token: string, vector: HttpsigVector) {
  return verifyWit(token, {
    trust: buildTrustRegistry(trustFor(vector.issuer_verifying_key)),
    profile: profiles['http-sig-06'],
    clockToleranceSec: 0,
    nowMs: vector.verify_now * 1000,
  });
}

function httpsigSuite(file: string, suite: string): void {
  const vector = readVectorJson<HttpsigVector>(file.replace(/^/, ''));
  describe(`wimsey ${suite} (${file})`, () => {
    const verify = (over: HttpsigNegative | undefined, profile: ProfileName = 'http-sig-06') =>
      createVerifier(optionsFor(vector, over, profile)).verify(requestOf(vector, over));

    vectorTest(`${suite}/request@http-sig-06`, () => verify(undefined), {
      check: (value) => {
        const identity = value as HttpSignatureIdentity;
        assert.equal(identity.id, 'spiffe://example.org/workload/api');
        assert.equal(identity.signResponse, true);
        assert.equal(identity.audience, 'https://service.example/transfer');
      },
    });
    vectorTest(`${suite}/request@http-sig-07`, () => verify(undefined, 'http-sig-07'), { messageIncludes: '@path' });
    vectorTest(`${suite}/rerouted-path/signature`, async () => {
      const rerouted = vector.negative.find((n) => n.id === 'rerouted-path');
      const key = (await verifiedWit(vector.wit, vector)).cnf;
      return verifyCryptoOnly({ kind: 'request', request: requestOf(vector, rerouted) }, key);
    });

    for (const negative of vector.negative) {
      const id = `${suite}/${negative.id}@http-sig-06`;
      if (vectorRow(id).expect === 'not-applicable') continue;
      if (negative.id === 'created-in-future') {
        vectorTest(id, async () => {
          const key = (await verifiedWit(vector.wit, vector)).cnf;
          return verifyRequestSignature(requestOf(vector, negative), {
            profile: profiles['http-sig-06'],
            key,
            audiences: ['https://service.example'],
            window: { nowSec: negative.verify_now as number, clockToleranceSec: 0, maxLifetimeSec: 300 },
          });
        });
        continue;
      }
      const quirk = suite.endsWith('es256') && negative.id === 'forbidden-alg-parameter';
      vectorTest(id, () => verify(negative), quirk ? { messageIncludes: 'alg is forbidden' } : {});
    }
    for (const accepted of vector.accepted) {
      vectorTest(`${suite}/${accepted.id}@http-sig-06`, () => verify(accepted));
    }

    // The signed response, through the verifier's own response path (the responder WIT is verified).
    const response = (over: HttpsigNegative | undefined) => ({
      status: vector.response.status,
      headers: {
        ...headersFromPairs(vector.response.headers),
        'workload-identity-token': [over?.wit ?? vector.response.wit],
        'signature-input': [over?.signature_input ?? vector.response.signature_input],
        signature: [over?.signature ?? vector.response.signature],
      },
      body: utf8(vector.response.body),
    });
    const checkResponse = (over: HttpsigNegative | undefined) => {
      const request = over?.request ?? vector.request;
      const parts = { method: request.method, target: targetOf(request), headers: headersFromPairs(request.headers) };
      return createVerifier(optionsFor(vector, undefined, 'http-sig-06')).verifyResponse(response(over), parts, {
        requestNonce: over?.expected_req_nonce ?? vector.response.expected_req_nonce,
      });
    };
    vectorTest(`${suite}/response@http-sig-06`, () => checkResponse(undefined), {
      check: (value) => assert.equal((value as { id: string }).id, 'spiffe://example.org/workload/ledger'),
    });
    for (const negative of vector.response.negative) {
      vectorTest(`${suite}/response/${negative.id}`, () => checkResponse(negative));
    }
  });
}

httpsigSuite('peers/wimsey/httpsig-sign-eddsa.json', 'wimsey/httpsig-eddsa');
httpsigSuite('peers/wimsey/httpsig-sign-es256.json', 'wimsey/httpsig-es256');

describe('wimsey WIT suite, format v2 (issue-es256)', () => {
  const vector = readVectorJson<{
    issuer_signing_key: Record<string, string>;
    verify_now: number;
    token: string;
    claims: Record<string, unknown>;
    negative: {
      id: string;
      token?: string;
      verify_now?: number;
      issuer_verifying_key?: Record<string, string>;
      expected_iss?: string;
    }[];
  }>('peers/wimsey/wit-issue-es256.json');
  const check = (over: (typeof vector.negative)[number] | undefined) =>
    verifyWit(over?.token ?? vector.token, {
      trust: buildTrustRegistry(
        trustFor(over?.issuer_verifying_key ?? vector.issuer_signing_key, over?.expected_iss ?? ISSUER),
      ),
      profile: profiles['http-sig-07'],
      clockToleranceSec: 0,
      nowMs: (over?.verify_now ?? vector.verify_now) * 1000,
    });

  vectorTest('wimsey/wit-es256/token', () => check(undefined), {
    check: (value) => assert.deepEqual((value as { claims: unknown }).claims, vector.claims),
  });
  for (const negative of vector.negative) {
    const options = negative.id === 'wrong-typ' ? { messageIncludes: 'typ' } : {};
    vectorTest(`wimsey/wit-es256/${negative.id}`, () => check(negative), options);
  }
});

describe('wimsey format v1 suites (v0.2.0): WIT without cnf.jwk.alg, non-profile signature, WPT', () => {
  const wit = readVectorJson<{
    issuer_signing_key_seed_b64u: string;
    verify_now: number;
    token: string;
    negative: {
      id: string;
      token?: string;
      verify_now?: number;
      issuer_verifying_key_b64u?: string;
      expected_iss?: string;
    }[];
  }>('peers/wimsey/v0.2.0/wit/issue-basic.json');
  const issuerJwk = { ...ed25519PublicFromSeed(wit.issuer_signing_key_seed_b64u), alg: 'EdDSA' } as Record<
    string,
    string
  >;
  const checkWit = (over: (typeof wit.negative)[number] | undefined) =>
    verifyWit(over?.token ?? wit.token, {
      trust: buildTrustRegistry(
        trustFor(
          over?.issuer_verifying_key_b64u
            ? ({ ...ed25519Jwk(over.issuer_verifying_key_b64u), alg: 'EdDSA' } as Record<string, string>)
            : issuerJwk,
          over?.expected_iss ?? ISSUER,
        ),
      ),
      profile: profiles['http-sig-07'],
      clockToleranceSec: 0,
      nowMs: (over?.verify_now ?? wit.verify_now) * 1000,
    });
  vectorTest('wimsey-v1/wit-basic/token/jose', async () =>
    jwtVerify(wit.token, await importJWK(issuerJwk, 'EdDSA'), { currentDate: new Date(wit.verify_now * 1000) }),
  );
  vectorTest('wimsey-v1/wit-basic/token', () => checkWit(undefined), { messageIncludes: 'cnf.jwk.alg' });
  for (const negative of wit.negative) vectorTest(`wimsey-v1/wit-basic/${negative.id}`, () => checkWit(negative));

  const sig = readVectorJson<{
    pop_signing_key_seed_b64u: string;
    issuer_verifying_key_b64u: string;
    verify_now: number;
    request: WimseyRequest;
    body: string;
    signature_input: string;
    signature: string;
    negative: { id: string; request?: WimseyRequest; body?: string }[];
  }>('peers/wimsey/v0.2.0/httpsig/sign-basic.json');
  const sigRequest = (over?: { request?: WimseyRequest; body?: string }): WorkloadRequest => {
    const request = over?.request ?? sig.request;
    return {
      method: request.method,
      target: targetOf(request),
      headers: {
        ...headersFromPairs(request.headers),
        host: [request.authority],
        'signature-input': [sig.signature_input],
        signature: [sig.signature],
      },
      body: utf8(over?.body ?? sig.body),
    };
  };
  const popKey = () => confirmationKey(ed25519PublicFromSeed(sig.pop_signing_key_seed_b64u), 'EdDSA');
  const sigIssuer = { ...ed25519Jwk(sig.issuer_verifying_key_b64u), alg: 'EdDSA' } as Record<string, string>;
  vectorTest('wimsey-v1/httpsig-basic/request@pipeline', () =>
    createVerifier({
      trustDomains: trustFor(sigIssuer),
      audiences: ['https://service.example'],
      profile: 'http-sig-06',
      now: () => sig.verify_now * 1000,
    }).verify(sigRequest()),
  );
  vectorTest('wimsey-v1/httpsig-basic/request@http-sig-06', () =>
    verifyRequestSignature(sigRequest(), {
      profile: profiles['http-sig-06'],
      key: popKey(),
      audiences: ['https://service.example'],
      window: { nowSec: sig.verify_now, clockToleranceSec: 60, maxLifetimeSec: 300 },
    }),
  );
  vectorTest('wimsey-v1/httpsig-basic/request/signature', () =>
    verifyCryptoOnly({ kind: 'request', request: sigRequest() }, popKey()),
  );
  const tampered = sig.negative.find((n) => n.id === 'tampered-body');
  vectorTest('wimsey-v1/httpsig-basic/tampered-body', () =>
    checkContentDigest(sigRequest().headers, utf8(tampered?.body ?? ''), true),
  );
  const rerouted = sig.negative.find((n) => n.id === 'rerouted-path');
  vectorTest('wimsey-v1/httpsig-basic/rerouted-path', () =>
    verifyCryptoOnly({ kind: 'request', request: sigRequest(rerouted) }, popKey()),
  );

  const wpt = readVectorJson<{
    wit: string;
    proof: string;
    verify_now: number;
    audience: string;
    negative: { id: string; verify_now?: number; audience?: string; wit?: string; proof?: string }[];
  }>('peers/wimsey/v0.2.0/wpt/proof-basic.json');
  vectorTest('wimsey-v1/wpt-basic/request@http-sig-07', () => {
    assert.equal(decodeJwt(wpt.wit).sub, 'spiffe://example.org/workload/api');
    return createVerifier({
      trustDomains: trustFor(sigIssuer),
      audiences: ['https://workload.example.com'],
      now: () => wpt.verify_now * 1000,
    }).verify({
      method: 'POST',
      target: '/path',
      headers: { 'workload-identity-token': wpt.wit, 'workload-proof-token': wpt.proof },
    });
  });
  // The WIT has no cnf.jwk.alg, so the pipeline refuses it first; the WPT layer is checked with its
  // cnf key under the algorithm the suite names (EdDSA), the service being the suite's audience.
  const checkProof = (over: (typeof wpt.negative)[number] | undefined) => {
    const wit = over?.wit ?? wpt.wit;
    const audience = new URL(over?.audience ?? wpt.audience);
    return verifyWptToken(over?.proof ?? wpt.proof, {
      profile: wptProfiles['wpt-02'],
      key: confirmationKey((decodeJwt(wit).cnf as { jwk: Record<string, unknown> }).jwk, 'EdDSA'),
      wit,
      headers: { 'workload-identity-token': wit },
      audiences: [audience.origin],
      path: audience.pathname,
      clock: { nowSec: over?.verify_now ?? wpt.verify_now, clockToleranceSec: 0, maxLifetimeSec: 300 },
      otherTokens: [],
    });
  };
  vectorTest('wimsey-v1/wpt-basic/proof', () => checkProof(undefined));
  for (const negative of wpt.negative) vectorTest(`wimsey-v1/wpt-basic/${negative.id}`, () => checkProof(negative));
});
