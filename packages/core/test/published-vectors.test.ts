import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import { createVerifier } from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import { readRequestVector, readVectorJson } from '../../../test/support/index.js';
import { verifyRequestSignature } from '../src/httpsig/verify-request-signature.js';
import { importCnfKey } from '../src/wit/import-cnf-key.js';
import { rejectsWith } from './helpers.js';

interface WitCredsExample {
  wit: string;
  identity_server_public_jwk: Record<string, string>;
  workload_private_jwk: Record<string, string>;
}

describe('the WIT example of workload-creds (seed 002, "June 5" issuer key)', () => {
  const example = readVectorJson<WitCredsExample>('wit-creds-example.json');
  // Between the example's iat (1745508910) and exp (1745512510).
  const clockSec = 1745509000;
  const options = {
    trustDomains: [
      {
        trustDomain: 'example.com',
        issuers: [{ jwks: { keys: [example.identity_server_public_jwk] }, algorithms: ['ES256'] }],
      },
    ],
    audiences: ['https://svcb.example.com'],
    now: () => clockSec * 1000,
  };

  it('is accepted with a request signed by its workload key under the default profile', async () => {
    const verifier = createVerifier(options);
    const signed = await signRequest(
      { method: 'GET', url: 'https://svcb.example.com/gimme-ice-cream?flavor=vanilla' },
      { wit: example.wit, privateKey: example.workload_private_jwk },
      { now: () => clockSec * 1000 },
    );
    const identity = await verifier.verify({
      method: 'GET',
      target: '/gimme-ice-cream?flavor=vanilla',
      headers: signed.headers,
    });
    assert.equal(identity.id, 'wimse://example.com/specific-workload');
    assert.equal(identity.issuer, undefined);
    assert.equal(identity.claims.jti, 'x-_1CTL2cca3CSE4cwb_l');
    assert.equal(identity.expiresAt, 1745512510);
  });

  it('is rejected as expired at the real clock', async () => {
    const verifier = createVerifier({ ...options, now: () => 1745512510_000 + 61_000 });
    const signed = await signRequest(
      { method: 'GET', url: 'https://svcb.example.com/x' },
      { wit: example.wit, privateKey: example.workload_private_jwk },
      { now: () => 1745512510_000 + 61_000 },
    );
    await rejectsWith(verifier.verify({ method: 'GET', target: '/x', headers: signed.headers }), 'wit_expired');
  });
});

describe('the http-signature-06 request vector', () => {
  const request = readRequestVector('httpsig-06-request.http.txt');
  const keys = readVectorJson<{ caller_svcA_private_jwk: Record<string, string> }>('httpsig-06-keys.json');
  const { d: _private, ...publicJwk } = keys.caller_svcA_private_jwk;
  const key = importCnfKey({ jwk: publicJwk });
  const window = { nowSec: 1785155797 + 10, clockToleranceSec: 60, maxLifetimeSec: 300 };

  it('verifies under the -06 profile at its clock with the WIT cnf.jwk', async () => {
    const verified = await verifyRequestSignature(request, {
      profile: profiles['http-sig-06'],
      key,
      audiences: ['https://svcb.example.com'],
      window,
    });
    assert.equal(verified.label, 'wimse');
    assert.equal(verified.params.nonce, 'abcd1111');
    assert.equal(verified.params.signResponse, true);
    assert.equal(verified.params.audience, 'https://svcb.example.com/gimme-ice-cream');
  });

  it('is rejected by the default -07 profile, which requires @path and @query', async () => {
    await rejectsWith(
      verifyRequestSignature(request, {
        profile: profiles['http-sig-07'],
        key,
        audiences: ['https://svcb.example.com'],
        window,
      }),
      'signature_profile',
    );
  });

  it('is rejected when its target is rewritten after signing', async () => {
    await rejectsWith(
      verifyRequestSignature(
        { ...request, target: '/gimme-ice-cream?flavor=chocolate' },
        { profile: profiles['http-sig-06'], key, audiences: ['https://svcb.example.com'], window },
      ),
      'signature_invalid',
    );
  });

  it('fails end to end on the WIT, whose issuer key was never published', async () => {
    const verifier = createVerifier({
      trustDomains: [
        {
          trustDomain: 'example.com',
          issuers: [{ issuer: 'https://example.com/issuer', jwks: { keys: [{ ...publicJwk, kid: 'issuer-key' }] } }],
        },
      ],
      audiences: ['https://svcb.example.com'],
      profile: 'http-sig-06',
      now: () => window.nowSec * 1000,
    });
    await rejectsWith(verifier.verify(request), 'wit_invalid');
  });
});
