import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { createVerifier, type WorkloadRequest } from '@wimse-pep/core';
import {
  AUDIENCE,
  createScenario,
  generateTestKey,
  httpSignatureIdentity,
  ISSUER,
  mintWit,
  NOW_SEC,
  type Scenario,
  signCustom,
  signedWorkloadRequest,
} from '../../../test/support/index.js';
import { rejectsWith } from './helpers.js';

let scenario: Scenario;
before(async () => {
  scenario = await createScenario({ workloadAlg: 'ES256' });
});
const verify = async (request: WorkloadRequest) =>
  httpSignatureIdentity(await createVerifier(scenario.options).verify(request));
const without = (headers: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));

describe('signature stage: fields and selection', () => {
  it('accepts a genuine custom signature (control)', async () => {
    const identity = await verify(await signCustom(scenario));
    assert.equal(identity.signatureLabel, 'sig1');
  });
  it('rejects a request with neither field as signature_missing (S1, W11 bearer use)', async () => {
    const request = await signCustom(scenario);
    await rejectsWith(
      verify({ ...request, headers: without(request.headers, 'signature', 'signature-input') }),
      'signature_missing',
    );
  });
  it('rejects one field without the other (S1)', async () => {
    const request = await signCustom(scenario);
    await rejectsWith(verify({ ...request, headers: without(request.headers, 'signature') }), 'signature_malformed');
    await rejectsWith(
      verify({ ...request, headers: without(request.headers, 'signature-input') }),
      'signature_malformed',
    );
  });
  it('rejects labels that differ between the fields (S1)', async () => {
    const request = await signCustom(scenario);
    const headers = { ...request.headers, signature: request.headers.signature?.replace(/^sig1=/, 'other=') as string };
    await rejectsWith(verify({ ...request, headers }), 'signature_malformed');
  });
  it('rejects a label repeated inside one field instead of taking the last (S3)', async () => {
    const request = await signCustom(scenario);
    const headers = {
      ...request.headers,
      'signature-input': `${request.headers['signature-input']}, ${request.headers['signature-input']}`,
      signature: `${request.headers.signature}, ${request.headers.signature}`,
    };
    await rejectsWith(verify({ ...request, headers }), 'signature_malformed');
  });
  it('rejects garbage in Signature-Input', async () => {
    const request = await signCustom(scenario);
    for (const value of ['sig1=', 'sig1=("@method"', '(', 'sig1=:AAAA:', 'SIG1=()']) {
      await rejectsWith(
        verify({ ...request, headers: { ...request.headers, 'signature-input': value } }),
        'signature_malformed',
      );
    }
  });
  it('selects the WIMSE signature by tag beside an intermediary signature, whatever its label (S2)', async () => {
    const wimse = await signCustom(scenario, {}, { label: 'proxy-chose-this' });
    const headers = {
      ...wimse.headers,
      'signature-input': `wimse=("@method");created=${NOW_SEC};keyid="proxy", ${wimse.headers['signature-input']}`,
      signature: `wimse=:AAAA:, ${wimse.headers.signature}`,
    };
    const identity = await verify({ ...wimse, headers });
    assert.equal(identity.signatureLabel, 'proxy-chose-this');
  });
  it('rejects two signatures that both carry the WIMSE tag (S2)', async () => {
    const one = await signCustom(scenario, {}, { label: 'a' });
    const two = await signCustom(scenario, {}, { label: 'b' });
    const headers = {
      ...one.headers,
      'signature-input': `${one.headers['signature-input']}, ${two.headers['signature-input']}`,
      signature: `${one.headers.signature}, ${two.headers.signature}`,
    };
    await rejectsWith(verify({ ...one, headers }), 'signature_profile');
  });
  it('rejects a request whose only signature has the legacy tag (S5)', async () => {
    await rejectsWith(
      verify(await signCustom(scenario, {}, { params: { tag: 'wimse-service-to-service' } })),
      'signature_profile',
    );
  });
});

describe('signature stage: parameters (S4, S5, S11)', () => {
  for (const name of ['created', 'expires', 'nonce', 'tag', 'wimse-aud']) {
    it(`rejects a genuine signature without ${name}`, async () => {
      await rejectsWith(verify(await signCustom(scenario, {}, { params: { [name]: undefined } })), 'signature_profile');
    });
  }
  it('rejects keyid (S4)', async () => {
    await rejectsWith(verify(await signCustom(scenario, {}, { params: { keyid: 'k' } })), 'signature_profile');
  });
  it('rejects alg even when it names the right algorithm (S4)', async () => {
    await rejectsWith(
      verify(await signCustom(scenario, {}, { params: { alg: 'ecdsa-p256-sha256' } })),
      'signature_profile',
    );
  });
  it('rejects created in the future beyond the tolerance', async () => {
    const request = await signCustom(scenario, {}, { params: { created: NOW_SEC + 120, expires: NOW_SEC + 180 } });
    await rejectsWith(verify(request), 'signature_expired');
  });
  it('rejects an expired signature', async () => {
    const request = await signCustom(scenario, {}, { params: { created: NOW_SEC - 300, expires: NOW_SEC - 61 } });
    await rejectsWith(verify(request), 'signature_expired');
  });
  it('accepts a signature expired within the tolerance', async () => {
    const request = await signCustom(scenario, {}, { params: { created: NOW_SEC - 100, expires: NOW_SEC - 30 } });
    assert.equal((await verify(request)).expires, NOW_SEC - 30);
  });
  it('rejects expires before created', async () => {
    await rejectsWith(
      verify(await signCustom(scenario, {}, { params: { expires: NOW_SEC - 1 } })),
      'signature_profile',
    );
  });
  it('rejects a lifetime over the cap (Cofide copies the WIT exp)', async () => {
    await rejectsWith(
      verify(await signCustom(scenario, {}, { params: { expires: NOW_SEC + 3600 } })),
      'signature_profile',
    );
  });
  it('rejects parameters of the wrong type', async () => {
    await rejectsWith(
      verify(await signCustom(scenario, {}, { params: { created: 'yesterday' } })),
      'signature_malformed',
    );
    await rejectsWith(verify(await signCustom(scenario, {}, { params: { nonce: 42 } })), 'signature_malformed');
  });
});

describe('signature stage: audience (S9)', () => {
  it('rejects wimse-aud naming another service', async () => {
    const request = await signCustom(
      scenario,
      {},
      { params: { 'wimse-aud': 'https://payments.internal.example/orders' } },
    );
    await rejectsWith(verify(request), 'audience_mismatch');
  });
  it('rejects wimse-aud naming another path', async () => {
    const request = await signCustom(scenario, {}, { params: { 'wimse-aud': `${AUDIENCE}/admin` } });
    await rejectsWith(verify(request), 'audience_mismatch');
  });
  it('never derives the audience from Host or X-Forwarded-Host', async () => {
    const aud = 'https://attacker.example/orders';
    const request = await signCustom(
      scenario,
      { headers: { host: 'attacker.example', 'x-forwarded-host': 'attacker.example' } },
      { params: { 'wimse-aud': aud } },
    );
    await rejectsWith(verify(request), 'audience_mismatch');
  });
  it('accepts an audience chosen per request by a function', async () => {
    const verifier = createVerifier({ ...scenario.options, audiences: () => ['https://other.example', AUDIENCE] });
    assert.ok(await verifier.verify(await signCustom(scenario)));
  });
});

describe('signature stage: covered components (S6, S17)', () => {
  const cases: [string, string[], Record<string, string>?][] = [
    ['@method', ['@path', '@query', 'workload-identity-token']],
    ['@path', ['@method', '@query', 'workload-identity-token']],
    ['@query', ['@method', '@path', 'workload-identity-token']],
    ['workload-identity-token (S17)', ['@method', '@path', '@query']],
    [
      'content-type when present',
      ['@method', '@path', '@query', 'workload-identity-token'],
      { 'content-type': 'text/plain' },
    ],
    [
      'authorization when present',
      ['@method', '@path', '@query', 'workload-identity-token'],
      { authorization: 'Bearer x' },
    ],
    ['txn-token when present', ['@method', '@path', '@query', 'workload-identity-token'], { 'txn-token': 'abc' }],
  ];
  for (const [missing, components, headers] of cases) {
    it(`rejects a genuine signature that does not cover ${missing}`, async () => {
      await rejectsWith(
        verify(await signCustom(scenario, { headers: headers ?? {} }, { components })),
        'signature_profile',
      );
    });
  }
  it('rejects a body whose content-digest is present but not covered', async () => {
    const request = await signCustom(
      scenario,
      { method: 'POST', body: 'x' },
      { components: ['@method', '@path', '@query', 'workload-identity-token'] },
    );
    await rejectsWith(verify(request), 'signature_profile');
  });
  it('rejects a component covered twice', async () => {
    const components = ['@method', '@path', '@query', 'workload-identity-token', '@method'];
    await rejectsWith(verify(await signCustom(scenario, {}, { components })), 'signature_malformed');
  });
  it('accepts extra covered components (S8 control: @authority covered and unchanged)', async () => {
    const components = ['@method', '@path', '@query', 'workload-identity-token', '@authority'];
    const request = await signCustom(scenario, { headers: { host: 'orders.internal.example' } }, { components });
    assert.ok((await verify(request)).coveredComponents.includes('"@authority"'));
  });
  it('rejects an authority rewritten inside the covered set (S8)', async () => {
    const components = ['@method', '@path', '@query', 'workload-identity-token', '@authority'];
    const request = await signCustom(scenario, { headers: { host: 'orders.internal.example' } }, { components });
    await rejectsWith(
      verify({ ...request, headers: { ...request.headers, host: 'evil.example' } }),
      'signature_invalid',
    );
  });
  it('accepts an authority rewritten by a proxy when @authority is not covered (S8)', async () => {
    const request = await signCustom(scenario, { headers: { host: 'orders.internal.example' } });
    assert.ok(await verify({ ...request, headers: { ...request.headers, host: 'proxy.internal' } }));
  });
});

describe('signature stage: the message after signing (S7, S10, S15, S16)', () => {
  it('rejects a rerouted path', async () => {
    const request = await signCustom(scenario, { target: '/transfer' });
    await rejectsWith(verify({ ...request, target: '/admin' }), 'audience_mismatch');
    const sameAud = await signCustom(scenario, { target: '/transfer?to=a' });
    await rejectsWith(verify({ ...sameAud, target: '/transfer?to=b' }), 'signature_invalid');
  });
  it('rejects a swapped method', async () => {
    const request = await signCustom(scenario, { method: 'GET' });
    await rejectsWith(verify({ ...request, method: 'DELETE' }), 'signature_invalid');
  });
  it('rejects edited signature parameters (S10)', async () => {
    const request = await signCustom(scenario);
    const edited = request.headers['signature-input']?.replace(/nonce="[^"]+"/, 'nonce="edited"') as string;
    await rejectsWith(
      verify({ ...request, headers: { ...request.headers, 'signature-input': edited } }),
      'signature_invalid',
    );
  });
  it('rejects CR/LF inside a covered field value (S15)', async () => {
    const request = await signCustom(
      scenario,
      { headers: { 'content-type': 'text/plain' } },
      {
        components: ['@method', '@path', '@query', 'workload-identity-token', 'content-type'],
      },
    );
    await rejectsWith(
      verify({ ...request, headers: { ...request.headers, 'content-type': 'text/plain\r\nx: y' } }),
      'signature_malformed',
    );
  });
  it('rejects an ECDSA signature in DER form (S16)', async () => {
    const request = await signCustom(scenario);
    const der = sign('sha256', Buffer.from('whatever'), scenario.workloadKey.privateKey);
    const headers = { ...request.headers, signature: `sig1=:${der.toString('base64')}:` };
    await rejectsWith(verify({ ...request, headers }), 'signature_invalid');
  });
  it('rejects a signature made with another algorithm than cnf.jwk.alg (S16)', async () => {
    const eddsa = await createScenario({ workloadAlg: 'EdDSA' });
    const forged = await signCustom({ wit: scenario.wit, workloadKey: eddsa.workloadKey });
    await rejectsWith(verify(forged), 'signature_invalid');
  });
});

describe('Content-Digest (S13, S14)', () => {
  const post = { method: 'POST', target: '/orders', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };
  it('rejects a replaced body under the signed digest (S13)', async () => {
    const request = await signedWorkloadRequest(scenario, post);
    await rejectsWith(verify({ ...request, body: new TextEncoder().encode('{"a":2}') }), 'digest_mismatch');
  });
  it('rejects a body without Content-Digest', async () => {
    const request = await signCustom(scenario, { method: 'POST', target: '/orders' });
    await rejectsWith(verify({ ...request, body: new TextEncoder().encode('x') }), 'digest_missing');
  });
  it('rejects a digest field with only unsupported algorithms (S14)', async () => {
    const request = await signCustom(scenario, {
      method: 'POST',
      body: 'x',
      headers: { 'content-digest': 'md5=:AAAA:, sha=:AAAA:' },
    });
    await rejectsWith(verify(request), 'digest_missing');
  });
  it('rejects when one of two supported digests is wrong (S14)', async () => {
    const good = await signedWorkloadRequest(scenario, post);
    const digest = `${good.headers['content-digest']}, sha-512=:${Buffer.alloc(64).toString('base64')}:`;
    const request = await signCustom(
      scenario,
      { ...post, headers: { ...post.headers, 'content-digest': digest } },
      {
        components: ['@method', '@path', '@query', 'workload-identity-token', 'content-type', 'content-digest'],
      },
    );
    await rejectsWith(verify(request), 'digest_mismatch');
  });
  it('accepts sha-512 alone and ignores unknown algorithms beside a good digest', async () => {
    const body = new TextEncoder().encode(post.body);
    const { createHash } = await import('node:crypto');
    const digest = `md5=:AAAA:, sha-512=:${createHash('sha512').update(body).digest('base64')}:`;
    const request = await signCustom(
      scenario,
      { ...post, headers: { ...post.headers, 'content-digest': digest } },
      {
        components: ['@method', '@path', '@query', 'workload-identity-token', 'content-type', 'content-digest'],
      },
    );
    assert.ok(await verify(request));
  });
  it('refuses a framed body whose raw bytes the adapter did not provide', async () => {
    const request = await signedWorkloadRequest(scenario, post);
    const error = await rejectsWith(
      verify({ ...request, body: undefined, headers: { ...request.headers, 'content-length': '7' } }),
      'body_unavailable',
    );
    assert.equal(error.status, 500);
  });
});

describe('replay (S12)', () => {
  it('rejects the same nonce under a different WIT and key, whoever sent it', async () => {
    const otherKey = generateTestKey('EdDSA');
    const otherWit = await mintWit({
      issuerKey: scenario.issuerKey,
      kid: 'issuer-1',
      sub: 'wimse://td.example/service/other',
      cnfJwk: otherKey.publicJwk,
      iat: NOW_SEC - 60,
      exp: NOW_SEC + 3600,
      iss: ISSUER,
    });
    const verifier = createVerifier(scenario.options);
    await verifier.verify(await signCustom(scenario, {}, { params: { nonce: 'shared-nonce' } }));
    const other = await signCustom({ wit: otherWit, workloadKey: otherKey }, {}, { params: { nonce: 'shared-nonce' } });
    await rejectsWith(verifier.verify(other), 'replay');
  });
  it('refuses with 503 when the replay store cannot answer (fail closed)', async () => {
    const verifier = createVerifier({
      ...scenario.options,
      replayStore: { addIfAbsent: () => Promise.reject(new Error('store down')) },
    });
    const error = await rejectsWith(verifier.verify(await signCustom(scenario)), 'unavailable');
    assert.equal(error.status, 503);
  });
  it('records the nonce only after every other check passed', async () => {
    const verifier = createVerifier(scenario.options);
    const tampered = await signCustom(scenario, {}, { params: { nonce: 'late-nonce' } });
    await rejectsWith(verifier.verify({ ...tampered, method: 'DELETE' }), 'signature_invalid');
    assert.ok(await verifier.verify(tampered));
  });
});
