import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import { readRequestVector, readVectorJson } from '../../../test/support/index.js';

/**
 * Ed25519 signatures are deterministic: signing the published http-signature-06 request with the
 * published caller key, nonce and clock must reproduce the published Signature byte for byte.
 * That pins our signature base (component order, parameter order and serialization, the Boolean
 * `wimse-sign-response`, the label) to the draft's own generator.
 */
describe('signRequest against the published http-signature-06 request', () => {
  const vector = readRequestVector('httpsig-06-request.http.txt');
  const keys = readVectorJson<{ caller_svcA_private_jwk: Record<string, string> }>('httpsig-06-keys.json');
  const created = 1785155797;

  it('reproduces Signature-Input and Signature exactly under the -06 profile', async () => {
    const wit = vector.headers['workload-identity-token']?.[0] ?? '';
    const signed = await signRequest(
      { method: 'GET', url: 'https://svcb.example.com/gimme-ice-cream?flavor=vanilla' },
      { wit, privateKey: keys.caller_svcA_private_jwk },
      { profile: 'http-sig-06', nonce: 'abcd1111', lifetimeSec: 300, signResponse: true, now: () => created * 1000 },
    );
    assert.equal(signed.headers['signature-input'], vector.headers['signature-input']?.[0]);
    assert.equal(signed.headers.signature, vector.headers.signature?.[0]);
  });

  it('signs the same request differently under the default -07 profile (@path and @query, label sig1)', async () => {
    const wit = vector.headers['workload-identity-token']?.[0] ?? '';
    const signed = await signRequest(
      { method: 'GET', url: 'https://svcb.example.com/gimme-ice-cream?flavor=vanilla' },
      { wit, privateKey: keys.caller_svcA_private_jwk },
      { nonce: 'abcd1111', lifetimeSec: 300, signResponse: true, now: () => created * 1000 },
    );
    assert.equal(
      signed.headers['signature-input'],
      'sig1=("@method" "@path" "@query" "workload-identity-token");created=1785155797;expires=1785156097;nonce="abcd1111";tag="wimse-workload-to-workload";wimse-aud="https://svcb.example.com/gimme-ice-cream";wimse-sign-response',
    );
  });
});
