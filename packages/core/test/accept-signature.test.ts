/**
 * Refusals for missing or insufficient credentials carry Accept-Signature (RFC 9421 5.1), computed
 * from the profile data and the request: never weaker than the profile (http-signature-07 3.5).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier, type WimseError, type WorkloadRequest } from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import { parseDictionary } from 'structured-headers';
import {
  AUDIENCE,
  createScenario,
  generateTestKey,
  signedWorkloadRequest,
  witFor,
} from '../../../test/support/index.js';

const scenario = await createScenario();

async function refusal(request: WorkloadRequest, overrides = {}): Promise<WimseError> {
  const outcome = await createVerifier({ ...scenario.options, ...overrides })
    .verify(request)
    .then(
      () => undefined,
      (error: WimseError) => error,
    );
  assert.ok(outcome, 'the request was accepted');
  return outcome;
}

function advertised(error: WimseError) {
  const value = error.headers['Accept-Signature'];
  assert.ok(value, `${error.code} carries no Accept-Signature`);
  const dictionary = parseDictionary(value);
  assert.equal(dictionary.size, 1);
  const [[label, member]] = [...dictionary] as [[string, [unknown, Map<string, unknown>]]];
  const components = (member[0] as [string, unknown][]).map(([name]) => name);
  return { label, components, params: member[1] };
}

describe('Accept-Signature on refusals for missing or insufficient credentials', () => {
  it('wit_missing: the -07 label, components, created, expires, tag and the expected wimse-aud', async () => {
    const error = await refusal({ method: 'GET', target: '/orders?id=7', headers: {} });
    assert.equal(error.code, 'wit_missing');
    const { label, components, params } = advertised(error);
    const profile = profiles['http-sig-07'];
    assert.equal(label, profile.label);
    assert.deepEqual(components, [...profile.requestTargetComponents, 'workload-identity-token']);
    assert.equal(params.get('created'), true);
    assert.equal(params.get('expires'), true);
    assert.equal(params.get('tag'), profile.tag);
    assert.equal(params.get('wimse-aud'), `${AUDIENCE}/orders`);
  });
  it('signature_missing on a POST: content-type and content-digest are asked for too', async () => {
    const request = await signedWorkloadRequest(scenario, {
      method: 'POST',
      target: '/orders',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    const headers = { ...request.headers };
    delete headers.signature;
    delete headers['signature-input'];
    const error = await refusal({ ...request, headers });
    assert.equal(error.code, 'signature_missing');
    const { components } = advertised(error);
    assert.deepEqual(components.slice(-2), ['content-type', 'content-digest']);
  });
  it('signature_profile and audience_mismatch carry it; the -06 profile advertises its own shape', async () => {
    const request = await signedWorkloadRequest(scenario, { target: '/orders' });
    const wrongAudience = await refusal(request, { audiences: ['https://payments.example'] });
    assert.equal(wrongAudience.code, 'audience_mismatch');
    assert.equal(advertised(wrongAudience).params.get('wimse-aud'), 'https://payments.example/orders');
    const under06 = await refusal(request, { profile: 'http-sig-06' });
    assert.equal(under06.code, 'signature_profile');
    const { label, components } = advertised(under06);
    assert.equal(label, 'wimse');
    assert.deepEqual(components, ['@method', '@request-target', 'workload-identity-token']);
  });
  it('a forgery (wit_invalid) or a broken proof (signature_invalid) gets no hint', async () => {
    const forged = await witFor(scenario, { signingKey: generateTestKey('ES256').privateKey });
    const error = await refusal(await signedWorkloadRequest({ ...scenario, wit: forged }));
    assert.equal(error.code, 'wit_invalid');
    assert.equal(error.headers['Accept-Signature'], undefined);
    const request = await signedWorkloadRequest(scenario);
    const tampered = await refusal({ ...request, method: 'DELETE' });
    assert.equal(tampered.code, 'signature_invalid');
    assert.equal(tampered.headers['Accept-Signature'], undefined);
  });
});
