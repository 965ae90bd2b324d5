import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier } from '@wimse-pep/core';
import {
  CALLER_ID,
  createScenario,
  httpSignatureIdentity,
  signedWorkloadRequest,
} from '../../../test/support/index.js';
import { rejectsWith } from './helpers.js';

describe('verify: accepted requests', () => {
  for (const issuerAlg of ['ES256', 'EdDSA', 'RS256'] as const) {
    for (const workloadAlg of ['ES256', 'EdDSA'] as const) {
      it(`returns the identity for a ${issuerAlg} issuer and a ${workloadAlg} workload key`, async () => {
        const scenario = await createScenario({ issuerAlg, workloadAlg });
        const verifier = createVerifier(scenario.options);
        const request = await signedWorkloadRequest(scenario, { target: '/orders?id=7' });
        const identity = await verifier.verify(request);
        assert.equal(identity.id, CALLER_ID);
        assert.equal(identity.trustDomain, 'td.example');
        assert.equal(identity.origin, 'wimse://td.example');
        assert.equal(identity.proof, 'http-signature');
        assert.equal(identity.profile, 'http-sig-07');
        assert.deepEqual(identity.coveredComponents, ['"@method"', '"@path"', '"@query"', '"workload-identity-token"']);
        assert.equal(identity.audience, 'https://orders.internal.example/orders');
        assert.equal(identity.expires - identity.created, 60);
        assert.match(identity.keyThumbprint, /^[A-Za-z0-9_-]{43}$/);
      });
    }
  }

  it('accepts a POST whose body matches its covered Content-Digest', async () => {
    const scenario = await createScenario();
    const verifier = createVerifier(scenario.options);
    const request = await signedWorkloadRequest(scenario, {
      method: 'POST',
      target: '/orders',
      headers: { 'content-type': 'application/json' },
      body: '{"item":"ice cream"}',
    });
    const identity = httpSignatureIdentity(await verifier.verify(request));
    assert.ok(identity.coveredComponents.includes('"content-digest"'));
    assert.ok(identity.coveredComponents.includes('"content-type"'));
  });

  it('rejects the same request the second time as a replay', async () => {
    const scenario = await createScenario();
    const verifier = createVerifier(scenario.options);
    const request = await signedWorkloadRequest(scenario);
    await verifier.verify(request);
    await rejectsWith(verifier.verify(request), 'replay');
  });
});
