import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDemo } from '../support/run-demo.js';

describe('the end-to-end demo (examples/demo/run-demo.ts)', () => {
  it('shows a verified exchange through the middlebox and refuses each attack with its code', {
    timeout: 30_000,
  }, async () => {
    const { code, stdout, stderr } = await runDemo('examples/demo/run-demo.ts');
    assert.equal(code, 0, `${stdout}\n${stderr}`);

    // The exchange, as the seed's demo prints it.
    assert.match(
      stdout,
      /== WIT of the calling workload \(header and payload\) ==\n\{\n {2}"alg": "ES256",\n {2}"typ": "wit\+jwt"/,
    );
    assert.match(stdout, /"sub": "wimse:\/\/demo\.example\/service\/checkout"/);
    assert.match(stdout, /^POST \/orders\?priority=high HTTP\/1\.1$/m);
    assert.match(
      stdout,
      /^Signature-Input: sig1=\("@method" "@path" "@query" "content-type" "content-digest" "workload-identity-token"\);created=\d+;expires=\d+;nonce="[^"]+";tag="wimse-workload-to-workload";wimse-aud="http:\/\/127\.0\.0\.1:\d+\/orders";wimse-sign-response$/m,
    );
    // The middlebox rewrote unsigned fields, and the service still verified the caller.
    assert.match(stdout, /^user-agent: demo-middlebox\/1\.0$/m);
    assert.match(stdout, /^via: 1\.1 demo-middlebox$/m);
    assert.match(stdout, /orders service: verified caller wimse:\/\/demo\.example\/service\/checkout/);
    // The response is signed by the service and verified by checkout.
    assert.match(stdout, /^HTTP\/1\.1 201 Created$/m);
    assert.match(
      stdout,
      /^Signature-Input: sig1=\("@status" "workload-identity-token" "content-type" "content-digest" "@method";req "@path";req "@query";req\);.*wimse-req-nonce="/m,
    );
    assert.match(stdout, /checkout: verified responder wimse:\/\/demo\.example\/service\/orders/);
    assert.match(stdout, /^ACCEPTED: signed request through the middlebox/m);

    // Each attack refused with its code.
    for (const [label, outcome] of [
      ['the middlebox alters the body', '400 digest_mismatch'],
      ['the middlebox alters the query', '400 signature_invalid'],
      ['the same request replayed byte for byte', '400 replay'],
      ['a WIT forged with another issuer key', '400 wit_invalid'],
      ['checkout calls a route its policy does not allow', '403 policy_denied'],
      ['the middlebox strips the response signature \\(R5\\)', 'checkout rejected signature_missing'],
      ['a certificate for checkout from another CA', '400 certificate_untrusted'],
    ]) {
      assert.match(stdout, new RegExp(`-- ${label}\\n(?:   .*\\n)*?   REFUSED  ${outcome}`), label);
    }
    // The same caller with a Workload Proof Token: accepted once, refused when replayed.
    assert.match(stdout, /orders service: verified caller wimse:\/\/demo\.example\/service\/checkout by wpt /);
    assert.match(stdout, /^ACCEPTED: 201, a WPT request through the middlebox \(Authorization: WPT\)$/m);
    assert.match(stdout, /-- the same WPT replayed byte for byte\n(?: {3}.*\n)*? {3}REFUSED {2}401 wpt_replay/);
    assert.doesNotMatch(stdout, /UNEXPECTED/);
    // Mutual TLS: the inventory service identifies checkout by its WIC alone.
    assert.match(
      stdout,
      /inventory service: verified caller wimse:\/\/demo\.example\/service\/checkout by its client certificate \(proof mtls\)/,
    );
    assert.match(stdout, /^ACCEPTED: 200, the inventory service sees wimse:\/\/demo\.example\/service\/checkout$/m);
    // The inventory service's audit trail: intact, then refused once a denial is edited into an allow.
    assert.match(stdout, /^ {3}audit log inventory\.demo\.example\/audit\/1: intact$/m);
    assert.match(stdout, /^ACCEPTED: the audit log is intact \(exit 0\)$/m);
    assert.match(
      stdout,
      /-- record (\d+) edited in a copy: "decision":"deny" becomes "decision":"allow"\n.*\n {3}wimse-pep audit verify: record \1: record \1 does not hash to the prev of record \d+ .*\[chain_broken\]\n {3}REFUSED {2}exit 1/,
    );
    assert.match(stdout, /all 13 steps behaved as expected/);
  });
});
