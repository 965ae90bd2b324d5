/**
 * Threat rows S1-S17: attacks on the HTTP message signature profile. Signatures are genuine
 * (made with the workload key) unless the attack is on the signature bytes, so that each test
 * shows the profile rule, not the cryptography, refusing it.
 */
import assert from 'node:assert/strict';
import { createHash, sign } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createVerifier, MemoryReplayStore, type WorkloadRequest } from '@wimse-pep/core';
import {
  generateTestKey,
  httpSignatureIdentity,
  NOW_SEC,
  signCustom,
  signedWorkloadRequest,
} from '../../support/index.js';
import { expectWimseError } from '../helpers.js';
import { type AttackFixture, attackFixture, without } from './setup.js';

let f: AttackFixture;
before(async () => {
  f = await attackFixture({ workloadAlg: 'ES256' });
});
const BASE = ['@method', '@path', '@query', 'workload-identity-token'];
const replace = (request: WorkloadRequest & { headers: Record<string, string> }, name: string, value: string) => ({
  ...request,
  headers: { ...request.headers, [name]: value },
});

describe('S1: both fields, same labels', () => {
  it('[S1] a request with no Signature and no Signature-Input is refused as signature_missing', async () => {
    const request = await signCustom(f.scenario);
    await expectWimseError(
      f.verify({ ...request, headers: without(request.headers, 'signature', 'signature-input') }),
      'signature_missing',
    );
  });
  it('[S1] one field without the other is refused', async () => {
    const request = await signCustom(f.scenario);
    await expectWimseError(
      f.verify({ ...request, headers: without(request.headers, 'signature') }),
      'signature_malformed',
    );
    await expectWimseError(
      f.verify({ ...request, headers: without(request.headers, 'signature-input') }),
      'signature_malformed',
    );
  });
  it('[S1] labels that differ between the two fields are refused', async () => {
    const request = await signCustom(f.scenario, {}, { label: 'wimse' });
    const signature = (request.headers.signature as string).replace(/^wimse=/, 'wimse2=');
    await expectWimseError(f.verify(replace(request, 'signature', signature)), 'signature_malformed', {
      messageIncludes: 'labels',
    });
  });
});

describe('S2: which signature is the WIMSE one', () => {
  it('[S2] two signatures that both carry the WIMSE tag are ambiguous', async () => {
    const one = await signCustom(f.scenario, {}, { label: 'wimse' });
    const two = await signCustom(f.scenario, {}, { label: 'other' });
    const request = {
      ...one,
      headers: {
        ...one.headers,
        'signature-input': `${one.headers['signature-input']}, ${two.headers['signature-input']}`,
        signature: `${one.headers.signature}, ${two.headers.signature}`,
      },
    };
    await expectWimseError(f.verify(request), 'signature_profile', { messageIncludes: 'more than one' });
  });
  const gateway = (genuine: WorkloadRequest & { headers: Record<string, string> }) => ({
    ...genuine,
    headers: {
      ...genuine.headers,
      'signature-input': `wimse=("@method" "@authority");created=${NOW_SEC};keyid="gateway", ${genuine.headers['signature-input']}`,
      signature: `wimse=:${Buffer.alloc(64, 1).toString('base64')}:, ${genuine.headers.signature}`,
    },
  });
  it('[S2] -07: an untagged intermediary signature labelled wimse is never chosen; the tagged one is', async () => {
    const identity = httpSignatureIdentity(
      await f.verify(gateway(await signCustom(f.scenario, {}, { label: 'sig7' }))),
    );
    assert.equal(identity.signatureLabel, 'sig7');
  });
  it('[S2] -06: the wimse label is preferred only when it carries the tag; otherwise the one tagged member', async () => {
    const genuine = await signCustom(
      f.scenario,
      {},
      { label: 'sig7', components: ['@method', '@request-target', 'workload-identity-token'] },
    );
    const identity = httpSignatureIdentity(await f.verify(gateway(genuine), { profile: 'http-sig-06' }));
    assert.equal(identity.signatureLabel, 'sig7');
  });
  it('[S2] under -07 a WIMSE-tagged intermediary signature labelled wimse makes the request ambiguous (never selected by label)', async () => {
    const genuine = await signCustom(f.scenario, {}, { label: 'sig1' });
    const input = (genuine.headers['signature-input'] as string).replace(/^sig1=/, 'wimse=');
    const request = {
      ...genuine,
      headers: {
        ...genuine.headers,
        'signature-input': `${input}, ${genuine.headers['signature-input']}`,
        signature: `wimse=:${Buffer.alloc(64, 2).toString('base64')}:, ${genuine.headers.signature}`,
      },
    };
    await expectWimseError(f.verify(request), 'signature_profile', { messageIncludes: 'more than one' });
  });
  it('[S2] a request whose only signature lacks the WIMSE tag is refused', async () => {
    await expectWimseError(
      f.verify(await signCustom(f.scenario, {}, { params: { tag: 'gateway' } })),
      'signature_profile',
      {
        messageIncludes: 'tag',
      },
    );
  });
});

describe('S3: duplicate labels', () => {
  it('[S3] a label repeated in one field is refused (no last-wins shadowing)', async () => {
    const genuine = await signCustom(f.scenario);
    const shadow = await signCustom(f.scenario, { target: '/admin' });
    const request = {
      ...genuine,
      headers: {
        ...genuine.headers,
        'signature-input': `${shadow.headers['signature-input']}, ${genuine.headers['signature-input']}`,
        signature: `${shadow.headers.signature}, ${genuine.headers.signature}`,
      },
    };
    await expectWimseError(f.verify(request), 'signature_malformed', { messageIncludes: 'repeats' });
  });
  it('[S3] a label repeated across two field lines is refused', async () => {
    const genuine = await signCustom(f.scenario);
    const request = {
      ...genuine,
      headers: {
        ...genuine.headers,
        'signature-input': [genuine.headers['signature-input'] as string, genuine.headers['signature-input'] as string],
        signature: [genuine.headers.signature as string, genuine.headers.signature as string],
      },
    };
    await expectWimseError(f.verify(request), 'signature_malformed', { messageIncludes: 'repeats' });
  });
});

describe('S4: forbidden parameters', () => {
  it('[S4] keyid is refused', async () => {
    await expectWimseError(
      f.verify(await signCustom(f.scenario, {}, { params: { keyid: 'workload' } })),
      'signature_profile',
      {
        messageIncludes: 'keyid',
      },
    );
  });
  it('[S4] alg is refused even when it names cnf.jwk.alg (the Cofide signer sends it)', async () => {
    await expectWimseError(
      f.verify(await signCustom(f.scenario, {}, { params: { alg: 'ecdsa-p256-sha256' } })),
      'signature_profile',
      { messageIncludes: 'alg' },
    );
  });
  it('[S4] under service-to-service, an alg that disagrees with cnf.jwk.alg is refused', async () => {
    const request = await signCustom(
      f.scenario,
      { target: '/orders' },
      {
        label: 'wimse',
        components: ['@method', '@request-target', 'workload-identity-token'],
        params: { alg: 'ed25519', tag: 'wimse-service-to-service', 'wimse-aud': undefined },
      },
    );
    await expectWimseError(f.verify(request, { profile: 'service-to-service' }), 'signature_profile', {
      messageIncludes: 'disagrees',
    });
  });
});

describe('S5: mandatory parameters and the tag', () => {
  for (const name of ['created', 'expires', 'nonce', 'tag', 'wimse-aud']) {
    it(`[S5] a genuine signature without ${name} is refused`, async () => {
      await expectWimseError(
        f.verify(await signCustom(f.scenario, {}, { params: { [name]: undefined } })),
        'signature_profile',
      );
    });
  }
  it('[S5] the legacy tag wimse-service-to-service is refused by the default profile', async () => {
    await expectWimseError(
      f.verify(await signCustom(f.scenario, {}, { params: { tag: 'wimse-service-to-service' } })),
      'signature_profile',
    );
  });
  it('[S5] an empty or oversized nonce is refused', async () => {
    await expectWimseError(f.verify(await signCustom(f.scenario, {}, { params: { nonce: '' } })), 'signature_profile');
    await expectWimseError(
      f.verify(await signCustom(f.scenario, {}, { params: { nonce: 'n'.repeat(5000) } })),
      'signature_profile',
    );
  });
});

describe('S6: required covered components, from the message received', () => {
  it('[S6] a signature without @method lets a GET become a DELETE: refused', async () => {
    const request = await signCustom(
      f.scenario,
      { method: 'GET' },
      { components: ['@path', '@query', 'workload-identity-token'] },
    );
    await expectWimseError(f.verify({ ...request, method: 'DELETE' }), 'signature_profile', {
      messageIncludes: '@method',
    });
  });
  for (const [missing, components] of [
    ['@path', ['@method', '@query', 'workload-identity-token']],
    ['@query', ['@method', '@path', 'workload-identity-token']],
  ] as const) {
    it(`[S6] a signature without ${missing} is refused`, async () => {
      await expectWimseError(
        f.verify(await signCustom(f.scenario, {}, { components: [...components] })),
        'signature_profile',
        {
          messageIncludes: missing,
        },
      );
    });
  }
  it('[S6] -07 refuses @request-target in place of @path and @query', async () => {
    const request = await signCustom(
      f.scenario,
      {},
      { components: ['@method', '@request-target', 'workload-identity-token'] },
    );
    await expectWimseError(f.verify(request), 'signature_profile', { messageIncludes: '@path' });
  });
  it('[S6] -06 refuses a signature without @request-target (the arn shape covers only it, Cofide omits @method)', async () => {
    const request = await signCustom(
      f.scenario,
      {},
      { label: 'wimse', components: ['@method', 'workload-identity-token'] },
    );
    await expectWimseError(f.verify(request, { profile: 'http-sig-06' }), 'signature_profile', {
      messageIncludes: '@request-target',
    });
  });
  for (const [field, value] of [
    ['content-type', 'application/json'],
    ['authorization', 'Bearer token'],
    ['txn-token', 'eyJ.txn.token'],
  ] as const) {
    it(`[S6] ${field} present but not covered is refused`, async () => {
      const request = await signCustom(f.scenario, { headers: { [field]: value } }, { components: BASE });
      await expectWimseError(f.verify(request), 'signature_profile', { messageIncludes: field });
    });
  }
  it('[S6] a header added after signing (uncovered Authorization) makes the request refused', async () => {
    const request = await signCustom(f.scenario);
    await expectWimseError(f.verify(replace(request, 'Authorization', 'Bearer injected')), 'signature_profile');
  });
  it('[S6] a body without content-digest covered is refused', async () => {
    const request = await signCustom(f.scenario, { method: 'POST', body: '{"amount":1}' }, { components: BASE });
    await expectWimseError(f.verify(request), 'signature_profile', { messageIncludes: 'content-digest' });
  });
  it('[S6] a body added to a request signed without one is refused (no Content-Digest at all)', async () => {
    const request = await signCustom(f.scenario, { method: 'POST' });
    await expectWimseError(
      f.verify({ ...request, body: new TextEncoder().encode('{"amount":1000}') }),
      'digest_missing',
    );
  });
});

describe('S7: path and query rewritten after signing', () => {
  it('[S7] /transfer rewritten to /admin is refused', async () => {
    const request = await signCustom(f.scenario, { method: 'POST', target: '/transfer', body: 'x' });
    await expectWimseError(f.verify({ ...request, target: '/admin' }), 'audience_mismatch');
  });
  it('[S7] a query rewritten under the same path (so the audience still matches) is refused by the signature', async () => {
    const query = await signCustom(f.scenario, { target: '/transfer?to=alice&amount=1' });
    await expectWimseError(f.verify({ ...query, target: '/transfer?to=mallory&amount=1' }), 'signature_invalid');
    await expectWimseError(f.verify({ ...query, target: '/transfer' }), 'signature_invalid');
  });
  it('[S7] a query added to a request signed without one is refused', async () => {
    const request = await signCustom(f.scenario, { target: '/orders' });
    await expectWimseError(f.verify({ ...request, target: '/orders?all=true' }), 'signature_invalid');
  });
});

describe('S8: authority rewritten by a proxy', () => {
  it('[S8] accepted when @authority is not covered: the binding is wimse-aud', async () => {
    const request = await signCustom(f.scenario, { headers: { host: 'orders.internal.example' } });
    assert.ok(await f.verify(replace(request, 'host', 'orders-7.pod.cluster.local')));
  });
  it('[S8] refused when @authority is covered and rewritten', async () => {
    const request = await signCustom(
      f.scenario,
      { headers: { host: 'orders.internal.example' } },
      { components: [...BASE, '@authority'] },
    );
    await expectWimseError(f.verify(replace(request, 'host', 'attacker.example')), 'signature_invalid');
  });
});

describe('S9: audience', () => {
  it('[S9] wimse-aud naming another service is refused', async () => {
    const request = await signCustom(
      f.scenario,
      {},
      { params: { 'wimse-aud': 'https://payments.internal.example/orders' } },
    );
    await expectWimseError(f.verify(request), 'audience_mismatch');
  });
  it('[S9] Host and X-Forwarded-Host set to the captured audience do not make it ours', async () => {
    const request = await signCustom(
      f.scenario,
      {
        headers: {
          host: 'payments.internal.example',
          'x-forwarded-host': 'payments.internal.example',
          forwarded: 'host=payments.internal.example',
        },
      },
      { params: { 'wimse-aud': 'https://payments.internal.example/orders' } },
    );
    await expectWimseError(f.verify(request), 'audience_mismatch');
  });
  it('[S9] an audience with another scheme or port is another audience', async () => {
    for (const aud of ['http://orders.internal.example/orders', 'https://orders.internal.example:8443/orders']) {
      await expectWimseError(
        f.verify(await signCustom(f.scenario, {}, { params: { 'wimse-aud': aud } })),
        'audience_mismatch',
      );
    }
  });
});

describe('S10: @signature-params edited after signing', () => {
  const edits: [string, (input: string) => string][] = [
    ['tag changed to the WIMSE tag', (input) => input.replace('tag="gateway-tag"', 'tag="wimse-workload-to-workload"')],
    ['nonce changed', (input) => input.replace(/nonce="[^"]*"/, 'nonce="fresh"')],
    ['expires extended', (input) => input.replace(/expires=\d+/, `expires=${NOW_SEC + 299}`)],
    ['wimse-sign-response removed', (input) => input.replace(';wimse-sign-response', '')],
  ];
  for (const [name, edit] of edits) {
    it(`[S10] ${name}: refused by the signature`, async () => {
      const params = name.startsWith('tag')
        ? { tag: 'gateway-tag' }
        : name.startsWith('wimse-sign')
          ? { 'wimse-sign-response': true }
          : {};
      const request = await signCustom(f.scenario, {}, { params });
      const edited = edit(request.headers['signature-input'] as string);
      assert.notEqual(edited, request.headers['signature-input']);
      await expectWimseError(f.verify(replace(request, 'signature-input', edited)), 'signature_invalid');
    });
  }
});

describe('S11: the validity window', () => {
  it('[S11] created in the future beyond the tolerance is refused', async () => {
    const request = await signCustom(f.scenario, {}, { params: { created: NOW_SEC + 120, expires: NOW_SEC + 180 } });
    await expectWimseError(f.verify(request), 'signature_expired');
  });
  it('[S11] expires passed beyond the tolerance is refused', async () => {
    const request = await signCustom(f.scenario, {}, { params: { created: NOW_SEC - 200, expires: NOW_SEC - 61 } });
    await expectWimseError(f.verify(request), 'signature_expired');
  });
  it('[S11] expires before created is refused', async () => {
    const request = await signCustom(f.scenario, {}, { params: { created: NOW_SEC, expires: NOW_SEC - 10 } });
    await expectWimseError(f.verify(request), 'signature_profile');
  });
  it("[S11] a lifetime copied from the WIT's exp (Cofide) is refused", async () => {
    const request = await signCustom(f.scenario, {}, { params: { expires: NOW_SEC + 3600 } });
    await expectWimseError(f.verify(request), 'signature_profile', { messageIncludes: 'lifetime' });
  });
  it('[S11] an operator-chosen shorter cap is enforced', async () => {
    const request = await signCustom(f.scenario, {}, { params: { expires: NOW_SEC + 60 } });
    await expectWimseError(f.verify(request, { maxSignatureLifetimeSec: 30 }), 'signature_profile');
  });
});

describe('S12: replay', () => {
  it('[S12] the same request twice to the same node is a replay', async () => {
    const verifier = createVerifier(f.scenario.options);
    const request = await signCustom(f.scenario);
    await verifier.verify(request);
    await expectWimseError(verifier.verify(request), 'replay');
  });
  it('[S12] the same request to another replica sharing the store is a replay', async () => {
    const replayStore = new MemoryReplayStore({ now: () => NOW_SEC * 1000 });
    const replicaA = createVerifier({ ...f.scenario.options, replayStore });
    const replicaB = createVerifier({ ...f.scenario.options, replayStore });
    const request = await signCustom(f.scenario);
    await replicaA.verify(request);
    await expectWimseError(replicaB.verify(request), 'replay');
  });
  it('[S12] a full store never evicts a live nonce: a fresh one is an overload, the replay still a replay', async () => {
    // One caller fills the whole store here: its share is the whole store.
    const replayStore = new MemoryReplayStore({ max: 2, maxPerCaller: 2, now: () => NOW_SEC * 1000 });
    const verifier = createVerifier({ ...f.scenario.options, replayStore });
    const first = await signCustom(f.scenario, {}, { params: { created: NOW_SEC - 5 } });
    await verifier.verify(first);
    await verifier.verify(await signCustom(f.scenario, {}, { params: { created: NOW_SEC - 4 } }));
    await expectWimseError(
      verifier.verify(await signCustom(f.scenario, {}, { params: { created: NOW_SEC - 3 } })),
      'replay_capacity',
    );
    await expectWimseError(verifier.verify(first), 'replay');
  });
  it('[S12] the same nonce under another WIT and key is a replay, whoever sent it', async () => {
    const verifier = createVerifier(f.scenario.options);
    await verifier.verify(await signCustom(f.scenario, {}, { params: { nonce: 'shared' } }));
    const otherKey = generateTestKey('EdDSA');
    const otherWit = await f.wit({ sub: 'wimse://td.example/service/other', cnfJwk: otherKey.publicJwk });
    const replayed = await signCustom({ wit: otherWit, workloadKey: otherKey }, {}, { params: { nonce: 'shared' } });
    await expectWimseError(verifier.verify(replayed), 'replay');
  });
  it('[S12] concurrent copies of one request: exactly one is accepted (atomic check-and-set)', async () => {
    const verifier = createVerifier(f.scenario.options);
    const request = await signCustom(f.scenario);
    const results = await Promise.allSettled(Array.from({ length: 16 }, () => verifier.verify(request)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const result of results) {
      if (result.status === 'rejected') assert.equal((result.reason as { code?: string }).code, 'replay');
    }
  });
  it('[S12] the nonce is remembered until expires plus the tolerance, then the signature is expired', async () => {
    let clock = NOW_SEC * 1000;
    const verifier = createVerifier({ ...f.scenario.options, now: () => clock });
    const request = await signCustom(f.scenario, {}, { params: { expires: NOW_SEC + 60 } });
    await verifier.verify(request);
    clock = (NOW_SEC + 60 + 59) * 1000;
    await expectWimseError(verifier.verify(request), 'replay');
    clock = (NOW_SEC + 60 + 61) * 1000;
    await expectWimseError(verifier.verify(request), 'signature_expired');
  });
});

describe('S13: body replaced', () => {
  it('[S13] a body swapped under the signed Content-Digest is refused', async () => {
    const request = await signedWorkloadRequest(f.scenario, {
      method: 'POST',
      target: '/transfer',
      body: '{"amount":100}',
    });
    await expectWimseError(
      f.verify({ ...request, body: new TextEncoder().encode('{"amount":999}') }),
      'digest_mismatch',
    );
  });
  it('[S13] a body truncated or extended by one byte is refused', async () => {
    const request = await signedWorkloadRequest(f.scenario, {
      method: 'POST',
      target: '/transfer',
      body: '{"amount":100}',
    });
    for (const body of ['{"amount":100', '{"amount":100} ']) {
      await expectWimseError(f.verify({ ...request, body: new TextEncoder().encode(body) }), 'digest_mismatch');
    }
  });
});

describe('S14: digest algorithms and content coding', () => {
  const post = { method: 'POST', target: '/orders', body: '{"a":1}' };
  const signWithDigest = (digest: string, body = post.body) =>
    signCustom(f.scenario, { ...post, body, headers: { 'content-digest': digest } });
  it('[S14] only md5, sha or unknown algorithms is refused', async () => {
    for (const digest of ['md5=:AAAA:', 'sha=:AAAA:', 'md5=:AAAA:, unixsum=:AAAA:', 'blake3=:AAAA:']) {
      await expectWimseError(f.verify(await signWithDigest(digest)), 'digest_missing');
    }
  });
  it('[S14] a correct sha-256 beside a wrong sha-512 is refused (every active digest must match)', async () => {
    const body = new TextEncoder().encode(post.body);
    const good = createHash('sha256').update(body).digest('base64');
    await expectWimseError(
      f.verify(await signWithDigest(`sha-256=:${good}:, sha-512=:${Buffer.alloc(64).toString('base64')}:`)),
      'digest_mismatch',
    );
    await expectWimseError(
      f.verify(await signWithDigest(`sha-512=:${Buffer.alloc(64).toString('base64')}:, sha-256=:${good}:`)),
      'digest_mismatch',
    );
  });
  it('[S14] a digest value that is not a byte sequence is refused', async () => {
    for (const digest of ['sha-256="abc"', 'sha-256=42', 'sha-256=(:AAAA:)', 'sha-256=:not base64:']) {
      await expectWimseError(f.verify(await signWithDigest(digest)), 'digest_mismatch');
    }
  });
  it('[S14] the digest covers the content as sent (gzip), not the decoded body', async () => {
    const json = '{"items":[1,2,3]}';
    const gzipped = gzipSync(Buffer.from(json));
    const request = await signedWorkloadRequest(f.scenario, {
      method: 'POST',
      target: '/orders',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: new Uint8Array(gzipped),
    });
    assert.ok(await f.verify(request));
    await expectWimseError(f.verify({ ...request, body: new TextEncoder().encode(json) }), 'digest_mismatch');
  });
});

describe('S15: control characters', () => {
  it('[S15] CR/LF inside a covered field value is refused before the base is built', async () => {
    const request = await signCustom(
      f.scenario,
      { headers: { 'content-type': 'text/plain' } },
      { components: [...BASE, 'content-type'] },
    );
    for (const value of ['text/plain\r\nx-injected: 1', 'text/plain\nx', 'text/plain\u0000', 'text/plain\u007f']) {
      await expectWimseError(f.verify(replace(request, 'content-type', value)), 'signature_malformed', {
        messageIncludes: 'control character',
      });
    }
  });
  it('[S15] CR/LF in the method or the request target is refused', async () => {
    const request = await signCustom(f.scenario);
    await expectWimseError(f.verify({ ...request, method: 'GET\r\nX-Evil: 1' }), 'signature_malformed');
    await expectWimseError(f.verify({ ...request, target: '/orders?id=7\r\nX-Evil: 1' }), 'signature_malformed');
  });
  it('[S15] control characters in Signature-Input parameters are refused by the parser', async () => {
    const request = await signCustom(f.scenario);
    const input = (request.headers['signature-input'] as string).replace(/nonce="([^"]*)"/, 'nonce="$1\r\nx"');
    await expectWimseError(f.verify(replace(request, 'signature-input', input)), 'signature_malformed');
  });
});

describe('S16: the algorithm is cnf.jwk.alg', () => {
  it('[S16] a signature made with another key type than cnf.jwk.alg is refused', async () => {
    const ed = generateTestKey('EdDSA');
    await expectWimseError(f.verify(await signCustom({ wit: f.scenario.wit, workloadKey: ed })), 'signature_invalid');
  });
  it('[S16] an ECDSA signature in DER instead of raw r||s is refused', async () => {
    const request = await signCustom(f.scenario);
    const der = sign('sha256', Buffer.from('any base'), f.scenario.workloadKey.privateKey);
    await expectWimseError(
      f.verify(replace(request, 'signature', `sig1=:${der.toString('base64')}:`)),
      'signature_invalid',
    );
  });
  it('[S16] a truncated or extended signature is refused by its length', async () => {
    const request = await signCustom(f.scenario);
    const bytes = Buffer.from((/:(.*):/.exec(request.headers.signature as string)?.[1] ?? '') as string, 'base64');
    for (const changed of [bytes.subarray(0, 63), Buffer.concat([bytes, Buffer.from([0])])]) {
      await expectWimseError(
        f.verify(replace(request, 'signature', `sig1=:${changed.toString('base64')}:`)),
        'signature_invalid',
        {
          messageIncludes: 'length',
        },
      );
    }
  });
});

describe('S17: the WIT must be covered', () => {
  it('[S17] a signature that does not cover the WIT is refused', async () => {
    const request = await signCustom(f.scenario, {}, { components: ['@method', '@path', '@query'] });
    await expectWimseError(f.verify(request), 'signature_profile', { messageIncludes: 'workload-identity-token' });
  });
  it('[S17] the WIT swapped for another valid WIT with the same key but another sub is refused', async () => {
    const request = await signCustom(f.scenario);
    const admin = await f.wit({ sub: 'wimse://td.example/service/admin' });
    await expectWimseError(f.verify(replace(request, 'workload-identity-token', admin)), 'signature_invalid');
  });
});
