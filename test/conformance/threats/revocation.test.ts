/**
 * Threat row U2 (a reassigned or compromised identifier whose old WITs are still valid) through the
 * `notIssuedBefore` hook, and the WIT rules of the newest texts: an unreasonably long lifetime (W5),
 * RFC 9864's `Ed25519` accepted wherever `EdDSA` is (W2) and the per-trust-domain acceptable proof
 * algorithms of http-signature-07 section 3.1 (W7).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createVerifier, type VerifierOptions } from '@wimse-pep/core';
import { CALLER_ID, generateTestKey, NOW_SEC, signedWorkloadRequest, TRUST_DOMAIN } from '../../support/index.js';
import { expectWimseError } from '../helpers.js';
import { type AttackFixture, attackFixture } from './setup.js';

let f: AttackFixture;
before(async () => {
  f = await attackFixture();
});

/** The scenario's options with one trust-domain or issuer member changed. */
function withTrust(domain: Record<string, unknown>, issuer: Record<string, unknown> = {}): Partial<VerifierOptions> {
  const [scenarioDomain] = f.scenario.options.trustDomains;
  const [scenarioIssuer] = scenarioDomain?.issuers ?? [];
  assert.ok(scenarioIssuer);
  return {
    trustDomains: [
      { trustDomain: TRUST_DOMAIN, ...domain, issuers: [{ ...scenarioIssuer, ...issuer }] },
    ] as VerifierOptions['trustDomains'],
  };
}

describe('U2: revoking every WIT of a workload issued before a time', () => {
  it("[U2] a WIT issued before the workload's not-issued-before time is refused as wit_revoked", async () => {
    const request = await f.requestWithWit({ iat: NOW_SEC - 600 });
    const notIssuedBefore = (id: string) => (id === CALLER_ID ? NOW_SEC - 300 : undefined);
    await expectWimseError(f.verify(request, { notIssuedBefore }), 'wit_revoked', { status: 400 });
  });
  it('[U2] a WIT verified and cached before the revocation is refused after it (same verifier)', async () => {
    let cutoff: number | undefined;
    const verifier = createVerifier({ ...f.scenario.options, notIssuedBefore: () => cutoff });
    const wit = await f.wit({ iat: NOW_SEC - 600 });
    assert.ok(await verifier.verify(await signedWorkloadRequest({ wit, workloadKey: f.scenario.workloadKey })));
    cutoff = NOW_SEC - 60;
    await expectWimseError(
      verifier.verify(await signedWorkloadRequest({ wit, workloadKey: f.scenario.workloadKey })),
      'wit_revoked',
    );
  });
  it('[U2] a Date answer, and an async lookup, work the same way', async () => {
    const request = await f.requestWithWit({ iat: NOW_SEC - 600 });
    await expectWimseError(
      f.verify(request, { notIssuedBefore: async () => new Date((NOW_SEC - 300) * 1000) }),
      'wit_revoked',
    );
  });
  it('[U2] a WIT without iat cannot show it is newer than the cut-off: refused', async () => {
    const request = await f.requestWithWit({ extraClaims: { iat: undefined } });
    await expectWimseError(f.verify(request, { notIssuedBefore: () => NOW_SEC - 300 }), 'wit_revoked');
  });
  it('[U2] a lookup that throws fails closed as unavailable (503)', async () => {
    const request = await f.requestWithWit();
    await expectWimseError(
      f.verify(request, {
        notIssuedBefore: () => {
          throw new Error('revocation store down');
        },
      }),
      'unavailable',
      { status: 503 },
    );
  });
  it('[U2] a lookup that never answers fails closed as unavailable within its time limit', async () => {
    const request = await f.requestWithWit();
    await expectWimseError(
      f.verify(request, { notIssuedBefore: () => new Promise<never>(() => {}), notIssuedBeforeTimeoutMs: 20 }),
      'unavailable',
      { status: 503 },
    );
  });
  it('[U2] a lookup answering something that is not a time fails closed', async () => {
    const request = await f.requestWithWit();
    await expectWimseError(f.verify(request, { notIssuedBefore: () => 'yesterday' as never }), 'unavailable');
  });
  it('[U2] control: a WIT issued after the cut-off (same-principal rotation) is accepted', async () => {
    const request = await f.requestWithWit({ iat: NOW_SEC - 10 });
    const identity = await f.verify(request, { notIssuedBefore: () => NOW_SEC - 300 });
    assert.equal(identity.id, CALLER_ID);
  });
  it('[U2] control: another workload of the trust domain is not affected', async () => {
    const request = await f.requestWithWit({ iat: NOW_SEC - 600 });
    const identity = await f.verify(request, {
      notIssuedBefore: (id) => (id === 'wimse://td.example/service/other' ? NOW_SEC : undefined),
    });
    assert.equal(identity.id, CALLER_ID);
  });
});

describe('W5: unreasonably long WIT lifetimes', () => {
  it('[W5] exp - iat over the default one day is refused', async () => {
    const request = await f.requestWithWit({ iat: NOW_SEC - 60, exp: NOW_SEC - 60 + 2 * 86_400 });
    await expectWimseError(f.verify(request), 'wit_invalid', { messageIncludes: 'lifetime' });
  });
  it('[W5] without iat, exp - now counts', async () => {
    const request = await f.requestWithWit({ extraClaims: { iat: undefined }, exp: NOW_SEC + 2 * 86_400 });
    await expectWimseError(f.verify(request), 'wit_invalid', { messageIncludes: 'lifetime' });
  });
  it('[W5] maxWitLifetimeSec lowers the cap; control: a lifetime within it is accepted', async () => {
    const request = await f.requestWithWit({ iat: NOW_SEC - 60, exp: NOW_SEC + 3540 });
    await expectWimseError(f.verify(request, { maxWitLifetimeSec: 1800 }), 'wit_invalid', {
      messageIncludes: 'lifetime',
    });
    assert.equal((await f.verify(request, { maxWitLifetimeSec: 3600 })).id, CALLER_ID);
  });
});

describe('W2: Ed25519 (RFC 9864) wherever EdDSA is accepted', () => {
  const edIssuer = generateTestKey('EdDSA', 'issuer-1');
  const edTrust = (issuer: Record<string, unknown>) =>
    withTrust({}, { jwks: { keys: [{ ...edIssuer.publicJwk, alg: 'Ed25519' }] }, algorithms: undefined, ...issuer });
  it('[W2] an issuer configured without algorithms accepts an "alg":"Ed25519" WIT', async () => {
    const request = await f.requestWithWit({ issuerKey: edIssuer, alg: 'Ed25519' });
    assert.equal((await f.verify(request, edTrust({}))).id, CALLER_ID);
  });
  it('[W2] an issuer configured with EdDSA accepts Ed25519, also from a key published with "alg":"EdDSA"', async () => {
    const request = await f.requestWithWit({ issuerKey: edIssuer, alg: 'Ed25519' });
    const options = edTrust({ algorithms: ['EdDSA'], jwks: { keys: [edIssuer.publicJwk] } });
    assert.equal(edIssuer.publicJwk.alg, 'EdDSA');
    assert.equal((await f.verify(request, options)).id, CALLER_ID);
  });
  it('[W2] an issuer configured with Ed25519 only refuses the polymorphic EdDSA', async () => {
    const request = await f.requestWithWit({ issuerKey: edIssuer, alg: 'EdDSA' });
    await expectWimseError(f.verify(request, edTrust({ algorithms: ['Ed25519'] })), 'wit_invalid', {
      messageIncludes: 'not allowed for this issuer',
    });
  });
});

describe('W7: the proof algorithm must be acceptable for the trust domain (http-signature-07 3.1)', () => {
  it("[W7] a cnf.jwk.alg outside the trust domain's proofAlgorithms is refused", async () => {
    // The scenario's workload key is EdDSA.
    const request = await signedWorkloadRequest(f.scenario);
    await expectWimseError(f.verify(request, withTrust({ proofAlgorithms: ['ES256'] })), 'wit_invalid', {
      messageIncludes: 'not accepted for trust domain',
    });
  });
  it('[W7] control: a listed algorithm is accepted, and EdDSA in the list admits Ed25519 keys', async () => {
    const request = await signedWorkloadRequest(f.scenario);
    assert.equal((await f.verify(request, withTrust({ proofAlgorithms: ['ES256', 'EdDSA'] }))).id, CALLER_ID);
    const workload = generateTestKey('EdDSA');
    const wit = await f.wit({ cnfJwk: { ...workload.publicJwk, alg: 'Ed25519' } });
    const ed25519 = await signedWorkloadRequest({ wit, workloadKey: { ...workload, alg: 'Ed25519' } });
    assert.equal((await f.verify(ed25519, withTrust({ proofAlgorithms: ['EdDSA'] }))).id, CALLER_ID);
  });
  it('[W7] the default admits every asymmetric algorithm the drafts name, not a symmetric one', () => {
    assert.throws(() => createVerifier({ ...f.scenario.options, ...withTrust({ proofAlgorithms: ['HS256'] }) }), {
      name: 'TypeError',
      message: /proofAlgorithms\[0\]/,
    });
  });
});
