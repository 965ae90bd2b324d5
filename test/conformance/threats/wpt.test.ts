/**
 * Workload Proof Tokens (draft-ietf-wimse-wpt-02): the verifier's WPT pipeline against genuine and
 * hostile requests (threat rows P1-P5), the dispatch between the two proofs, and the wpt-01 legacy
 * profile.
 */
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { createVerifier, MemoryReplayStore, type VerifierOptions, type WorkloadRequest } from '@wimse-pep/core';
import { tokenHash } from '@wimse-pep/core/signing';
import { rejectsWith } from '../../../packages/core/test/helpers.js';
import {
  AUDIENCE,
  CALLER_ID,
  createScenario,
  generateTestKey,
  mintWit,
  mintWpt,
  NOW_SEC,
  type Scenario,
  signedWorkloadRequest,
  wptIdentity,
  wptWorkloadRequest,
} from '../../support/index.js';

const scenario = await createScenario();
const verifierFor = (overrides: Partial<VerifierOptions> = {}) => createVerifier({ ...scenario.options, ...overrides });
const verify = async (request: WorkloadRequest, overrides: Partial<VerifierOptions> = {}) =>
  wptIdentity(await verifierFor(overrides).verify(request));
const refused = async (request: WorkloadRequest, code: Parameters<typeof rejectsWith>[1], reason?: string) => {
  const error = await rejectsWith(verifierFor().verify(request), code);
  assert.equal(error.headers['WWW-Authenticate'], 'WPT', 'a WPT refusal carries the WPT challenge');
  if (reason !== undefined) assert.match(error.message, new RegExp(reason));
  return error;
};

describe('WPT: accepted requests', () => {
  for (const workloadAlg of ['ES256', 'EdDSA'] as const) {
    it(`returns a wpt identity for a ${workloadAlg} workload key`, async () => {
      const own: Scenario = await createScenario({ workloadAlg });
      const request = wptWorkloadRequest(own);
      const identity = wptIdentity(await createVerifier(own.options).verify(request));
      assert.equal(identity.id, CALLER_ID);
      assert.equal(identity.proof, 'wpt');
      assert.equal(identity.profile, 'wpt-02');
      assert.equal(identity.audience, `${AUDIENCE}/orders`);
      assert.equal(identity.expires, NOW_SEC + 60);
      assert.deepEqual(identity.boundTokens, []);
      assert.match(identity.keyThumbprint, /^[A-Za-z0-9_-]{43}$/);
    });
  }
  it('reads the scheme name case-insensitively and ignores the query for aud', async () => {
    const request = wptWorkloadRequest(scenario, { target: '/orders?id=7' });
    const token = request.headers.authorization.slice('WPT '.length);
    const identity = await verify({ ...request, headers: { ...request.headers, authorization: `wpt  ${token}` } });
    assert.equal(identity.audience, `${AUDIENCE}/orders`);
  });
  it('accepts typ application/wpt+jwt (the same media type, RFC 7515 4.1.9)', async () => {
    await verify(wptWorkloadRequest(scenario, { header: { typ: 'application/wpt+jwt' } }));
  });
  it('accepts an aud array that contains the target URI', async () => {
    await verify(wptWorkloadRequest(scenario, { claims: { aud: ['https://other.example/x', `${AUDIENCE}/orders`] } }));
  });
  it('binds a Txn-Token with tth and reports it as bound', async () => {
    const txn = 'eyJhbGciOiJub25lIn0.eyJ0eG4iOiIxIn0.';
    const request = wptWorkloadRequest(scenario, { claims: { tth: tokenHash(txn) }, headers: { 'txn-token': txn } });
    assert.deepEqual((await verify(request)).boundTokens, ['txn-token']);
  });
  it('binds a configured other token with oth', async () => {
    const request = wptWorkloadRequest(scenario, {
      claims: { oth: { 'x-user-context': tokenHash('ctx-123') } },
      headers: { 'x-user-context': '  ctx-123 ' },
    });
    const identity = await verify(request, { wpt: { otherTokens: ['x-user-context'] } });
    assert.deepEqual(identity.boundTokens, ['x-user-context']);
  });
  it('checks the WPT signature in either signatureVerification mode (and refuses another key in both)', async () => {
    for (const signatureVerification of ['inline', 'thread-pool'] as const) {
      const identity = await verify(wptWorkloadRequest(scenario), { signatureVerification });
      assert.equal(identity.proof, 'wpt');
      const forged = wptWorkloadRequest(scenario, { key: generateTestKey('EdDSA') });
      const error = await rejectsWith(verifierFor({ signatureVerification }).verify(forged), 'wpt_invalid');
      assert.match(error.message, /signature/);
    }
  });
  it('still verifies HTTP-signature requests with the same verifier (dispatch)', async () => {
    const identity = await verifierFor().verify(await signedWorkloadRequest(scenario));
    assert.equal(identity.proof, 'http-signature');
  });
  it('leaves a middlebox signature under another tag alone', async () => {
    const request = wptWorkloadRequest(scenario);
    const headers = {
      ...request.headers,
      'signature-input': `proxy=("@method");created=${NOW_SEC};tag="proxy"`,
      signature: `proxy=:${Buffer.alloc(64, 1).toString('base64')}:`,
    };
    await verify({ ...request, headers });
  });
});

describe('WPT: refusals are 401 with WWW-Authenticate: WPT', () => {
  it('[P3] refuses a WPT signed by another key', async () => {
    await refused(wptWorkloadRequest(scenario, { key: generateTestKey('EdDSA') }), 'wpt_invalid', 'signature');
  });
  it('[P3] refuses an alg other than cnf.jwk.alg', async () => {
    const other = generateTestKey('ES256');
    const error = await refused(wptWorkloadRequest(scenario, { key: other }), 'wpt_invalid', 'alg');
    assert.equal(error.status, 401);
    assert.equal(error.toProblem().code, 'wpt_invalid');
  });
  it('[P3] refuses typ other than wpt+jwt', async () => {
    for (const typ of ['jwt', 'wimse-proof+jwt', 'wit+jwt', undefined]) {
      await refused(wptWorkloadRequest(scenario, { header: { typ } }), 'wpt_invalid', 'typ');
    }
  });
  it('[P3] refuses a crit header', async () => {
    await refused(wptWorkloadRequest(scenario, { header: { crit: ['exp'] } }), 'wpt_invalid', 'crit');
  });
  it('[P2] refuses a wrong or absent aud, and never takes the audience from Host', async () => {
    await refused(
      wptWorkloadRequest(scenario, { claims: { aud: 'https://other.example/orders' } }),
      'wpt_audience_mismatch',
    );
    await refused(wptWorkloadRequest(scenario, { claims: { aud: `${AUDIENCE}/refunds` } }), 'wpt_audience_mismatch');
    await refused(wptWorkloadRequest(scenario, { claims: { aud: undefined } }), 'wpt_audience_mismatch', 'missing');
    await refused(
      wptWorkloadRequest(scenario, {
        claims: { aud: 'https://attacker.example/orders' },
        headers: { host: 'attacker.example', 'x-forwarded-host': 'attacker.example' },
      }),
      'wpt_audience_mismatch',
    );
  });
  it('[P4] refuses an expired WPT, an absent exp and an exp far in the future', async () => {
    await refused(wptWorkloadRequest(scenario, { claims: { exp: NOW_SEC - 61 } }), 'wpt_expired');
    await refused(wptWorkloadRequest(scenario, { claims: { exp: undefined } }), 'wpt_invalid', 'exp is missing');
    await refused(wptWorkloadRequest(scenario, { claims: { exp: NOW_SEC + 3600 } }), 'wpt_invalid', 'future');
    await refused(wptWorkloadRequest(scenario, { claims: { exp: String(NOW_SEC + 60) } }), 'wpt_invalid');
    await refused(wptWorkloadRequest(scenario, { claims: { iat: NOW_SEC + 600 } }), 'wpt_invalid', 'iat');
  });
  it('[P4] accepts exp within the clock tolerance and the lifetime cap (control)', async () => {
    await verify(wptWorkloadRequest(scenario, { claims: { exp: NOW_SEC - 30 } }));
    await verify(wptWorkloadRequest(scenario, { claims: { exp: NOW_SEC + 300 } }));
  });
  it('[P4] refuses an absent, short or non-random jti', async () => {
    await refused(wptWorkloadRequest(scenario, { claims: { jti: undefined } }), 'wpt_invalid', 'jti is missing');
    await refused(wptWorkloadRequest(scenario, { claims: { jti: 'abc' } }), 'wpt_invalid', 'jti');
    await refused(wptWorkloadRequest(scenario, { claims: { jti: 'a'.repeat(32) } }), 'wpt_invalid', 'random');
    await refused(wptWorkloadRequest(scenario, { claims: { jti: 1234567890123456 } }), 'wpt_invalid', 'jti');
  });
  it('[P4] refuses a replayed jti, on the same verifier and across verifiers sharing a store', async () => {
    const replayStore = new MemoryReplayStore({ now: scenario.options.now });
    const request = wptWorkloadRequest(scenario);
    await verify(request, { replayStore });
    const error = await rejectsWith(verifierFor({ replayStore }).verify(request), 'wpt_replay');
    assert.equal(error.headers['WWW-Authenticate'], 'WPT');
  });
  it('[P4] scopes jti to its sender: the same jti from another workload is not a replay', async () => {
    const replayStore = new MemoryReplayStore({ now: scenario.options.now });
    const other = await createScenario({ sub: 'wimse://td.example/service/other' });
    const jti = 'shared-jti-0123456789abcdef';
    await verify(wptWorkloadRequest(scenario, { claims: { jti } }), { replayStore });
    const otherVerifier = createVerifier({ ...other.options, replayStore });
    assert.equal((await otherVerifier.verify(wptWorkloadRequest(other, { claims: { jti } }))).proof, 'wpt');
  });
  it('[P1] refuses a wrong or missing wth', async () => {
    await refused(wptWorkloadRequest(scenario, { claims: { wth: tokenHash('other') } }), 'wpt_binding_mismatch');
    await refused(wptWorkloadRequest(scenario, { claims: { wth: undefined } }), 'wpt_binding_mismatch', 'missing');
  });
  it('[P1] refuses a valid WPT presented next to another valid WIT with the same key (WIT swapped)', async () => {
    const swappedWit = await mintWit({
      issuerKey: scenario.issuerKey,
      kid: 'issuer-1',
      sub: CALLER_ID,
      cnfJwk: scenario.workloadKey.publicJwk,
      iat: NOW_SEC - 30,
      exp: NOW_SEC + 3600,
      iss: 'https://issuer.td.example',
    });
    const request = wptWorkloadRequest(scenario);
    await refused(
      { ...request, headers: { ...request.headers, 'workload-identity-token': swappedWit } },
      'wpt_binding_mismatch',
      'wth',
    );
  });
  it('[P5] refuses a Txn-Token without tth, a tth without Txn-Token, and a wrong tth', async () => {
    await refused(wptWorkloadRequest(scenario, { headers: { 'txn-token': 'txn-1' } }), 'wpt_binding_mismatch', 'tth');
    await refused(wptWorkloadRequest(scenario, { claims: { tth: tokenHash('txn-1') } }), 'wpt_binding_mismatch');
    await refused(
      wptWorkloadRequest(scenario, { claims: { tth: tokenHash('txn-2') }, headers: { 'txn-token': 'txn-1' } }),
      'wpt_binding_mismatch',
    );
  });
  it('[P5] refuses an oth entry the service does not understand, and a configured token left unbound', async () => {
    await refused(
      wptWorkloadRequest(scenario, { claims: { oth: { 'x-unknown': tokenHash('v') } }, headers: { 'x-unknown': 'v' } }),
      'wpt_binding_mismatch',
      'not understood',
    );
    const verifier = verifierFor({ wpt: { otherTokens: ['x-user-context'] } });
    await rejectsWith(
      verifier.verify(wptWorkloadRequest(scenario, { headers: { 'x-user-context': 'ctx' } })),
      'wpt_binding_mismatch',
    );
    await rejectsWith(
      verifier.verify(wptWorkloadRequest(scenario, { claims: { oth: { 'x-user-context': tokenHash('ctx') } } })),
      'wpt_binding_mismatch',
    );
    await refused(wptWorkloadRequest(scenario, { claims: { oth: ['x'] } }), 'wpt_binding_mismatch', 'object');
  });
  it('[P5] refuses ath under -02 (no access token can travel with a -02 WPT)', async () => {
    await refused(wptWorkloadRequest(scenario, { claims: { ath: tokenHash('t') } }), 'wpt_binding_mismatch', 'ath');
  });
  it('refuses two Authorization fields, WPT plus Bearer, and a comma-joined pair', async () => {
    const request = wptWorkloadRequest(scenario);
    const { authorization } = request.headers;
    const twoWpt = { ...request.headers, authorization: [authorization, authorization] };
    await refused({ ...request, headers: twoWpt }, 'wpt_malformed', 'more than one');
    const withBearer = { ...request.headers, authorization: [authorization, 'Bearer abc'] };
    await refused({ ...request, headers: withBearer }, 'wpt_conflict', 'another Authorization scheme');
    const joined = { ...request.headers, authorization: `${authorization}, Bearer abc` };
    await refused({ ...request, headers: joined }, 'wpt_conflict');
  });
  it('refuses a WPT that is not one compact JWT, or oversized', async () => {
    const request = wptWorkloadRequest(scenario);
    for (const value of ['WPT', 'WPT abc', 'WPT a.b.c.d', 'WPT a.b.c extra']) {
      await refused({ ...request, headers: { ...request.headers, authorization: value } }, 'wpt_malformed');
    }
    const big = `WPT ${'a'.repeat(9000)}.b.c`;
    await refused({ ...request, headers: { ...request.headers, authorization: big } }, 'wpt_malformed', 'exceeds');
  });
  it('[W9] refuses a WPT whose header or claims JSON starts with a byte order mark', async () => {
    const request = wptWorkloadRequest(scenario);
    const [header, payload] = request.headers.authorization.slice(4).split('.') as [string, string];
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const withBom = (segment: string) => Buffer.concat([bom, Buffer.from(segment, 'base64url')]).toString('base64url');
    for (const [h, p] of [
      [withBom(header), payload],
      [header, withBom(payload)],
    ] as const) {
      const input = `${h}.${p}`;
      const key = { key: scenario.workloadKey.privateKey, dsaEncoding: 'ieee-p1363' as const };
      const hash = scenario.workloadKey.alg === 'EdDSA' ? null : `sha${scenario.workloadKey.alg.slice(2)}`;
      const signature = sign(hash, Buffer.from(input), key).toString('base64url');
      const authorization = `WPT ${input}.${signature}`;
      await refused({ ...request, headers: { ...request.headers, authorization } }, 'wpt_malformed');
    }
  });
  it('refuses Workload-Proof-Token under the default profile', async () => {
    const request = wptWorkloadRequest(scenario);
    const token = request.headers.authorization.slice(4);
    const headers = { 'workload-identity-token': scenario.wit, 'workload-proof-token': token };
    await refused({ ...request, headers }, 'wpt_malformed', 'pre-02');
  });
  it('refuses a request carrying both a WPT and a WIMSE HTTP signature', async () => {
    const signed = await signedWorkloadRequest(scenario, { target: '/orders' });
    const wpt = wptWorkloadRequest(scenario);
    await refused(
      { ...signed, headers: { ...signed.headers, authorization: wpt.headers.authorization } },
      'wpt_conflict',
      'both',
    );
  });
  it('validates the WIT exactly as for HTTP signatures (same codes), with the WPT challenge', async () => {
    const request = wptWorkloadRequest(scenario);
    const { 'workload-identity-token': _wit, ...withoutWit } = request.headers;
    await refused({ ...request, headers: withoutWit }, 'wit_missing');
    await refused({ ...request, headers: { ...request.headers, 'workload-identity-token': 'x.y.z' } }, 'wit_malformed');
  });
  it('answers 503 without a challenge when the replay store cannot answer', async () => {
    const replayStore = { addIfAbsent: () => Promise.reject(new Error('down')) };
    const error = await rejectsWith(verifierFor({ replayStore }).verify(wptWorkloadRequest(scenario)), 'unavailable');
    assert.equal(error.headers['WWW-Authenticate'], undefined);
  });
  it('with wpt: false, a WPT request is handled as an HTTP-signature request (and refused)', async () => {
    await rejectsWith(verifierFor({ wpt: false }).verify(wptWorkloadRequest(scenario)), 'signature_missing');
  });
});

describe('WPT: legacy profile wpt-01 (opt in)', () => {
  const legacyRequest = (claims: Record<string, unknown> = {}, bearer?: string) => {
    const token = mintWpt({ key: scenario.workloadKey, wit: scenario.wit, claims });
    return {
      method: 'POST',
      target: '/orders',
      headers: {
        'workload-identity-token': scenario.wit,
        'workload-proof-token': token,
        ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      },
    };
  };
  const legacy = { wpt: { profile: 'wpt-01' } } as const;
  it('accepts Workload-Proof-Token with ath binding the bearer token', async () => {
    const identity = await verify(legacyRequest({ ath: tokenHash('tok-1') }, 'tok-1'), legacy);
    assert.equal(identity.profile, 'wpt-01');
    assert.deepEqual(identity.boundTokens, ['authorization']);
  });
  it('refuses a bearer token without ath, and a wrong ath', async () => {
    await rejectsWith(verifierFor(legacy).verify(legacyRequest({}, 'tok-1')), 'wpt_binding_mismatch');
    await rejectsWith(
      verifierFor(legacy).verify(legacyRequest({ ath: tokenHash('tok-2') }, 'tok-1')),
      'wpt_binding_mismatch',
    );
  });
  it('refuses Authorization: WPT under the legacy profile', async () => {
    await rejectsWith(verifierFor(legacy).verify(wptWorkloadRequest(scenario)), 'wpt_malformed');
  });
});

describe('WPT options', () => {
  it('validates the wpt options at construction', () => {
    assert.throws(() => verifierFor({ wpt: { profile: 'wpt-99' as 'wpt-02' } }), /wpt.profile/);
    assert.throws(() => verifierFor({ wpt: { maxLifetimeSec: 0 } }), /wpt.maxLifetimeSec/);
    assert.throws(() => verifierFor({ wpt: { otherTokens: ['Txn-Token'] } }), /wpt.otherTokens/);
    assert.throws(() => verifierFor({ wpt: { otherTokens: ['authorization'] } }), /wpt.otherTokens/);
    assert.throws(() => verifierFor({ wpt: { extra: 1 } as never }), /wpt.extra/);
  });
});
