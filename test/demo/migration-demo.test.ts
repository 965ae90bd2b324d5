import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDemo, stepOutput } from '../support/run-demo.js';

describe('the migration demo (examples/demo-migration/run-migration-demo.ts)', () => {
  it('moves checkout from bearer to WIT, the ratchet refuses its bearer token, the report shows it', {
    timeout: 60_000,
  }, async () => {
    const { code, stdout, stderr } = await runDemo('examples/demo-migration/run-migration-demo.ts');
    assert.equal(code, 0, `${stdout}\n${stderr}`);

    // 1. The legacy caller on bearer: accepted, told about the deprecation and the sunset.
    const legacy = stepOutput(stdout, 'checkout sends its bearer token');
    assert.match(
      legacy,
      /audit: authentication allow, wimse:\/\/demo\.example\/service\/checkout by bearer, mode either/,
    );
    assert.match(legacy, /^ {3}\| Authorization: Bearer \[redacted\]$/m);
    assert.doesNotMatch(legacy, /Workload-Identity-Token|Signature-Input/);
    assert.match(legacy, /^ {3}response deprecation: @\d+$/m);
    assert.match(legacy, /^ {3}response sunset: \w{3}, \d{2} \w{3} \d{4} [\d:]{8} GMT$/m);
    assert.match(legacy, /rel="deprecation"/);
    assert.match(legacy, /AS EXPECTED {2}201 bearer$/);

    // 2. The report before: checkout seen on bearer, not migrated.
    assert.match(
      stdout,
      /== 2\. the migration report, before checkout migrates ==\n(?:.*\n)*? {3}wimse:\/\/demo\.example\/service\/checkout: bearer x1; not migrated\n(?:.*\n)*? {3}AS EXPECTED/,
    );

    // 3. Dual send: the signature covers authorization; the WIT decides, the bearer is context.
    const dual = stepOutput(stdout, 'checkout sends both; the WIT decides, the bearer is context');
    assert.match(dual, /by http-signature \+ bearer \(wimse:\/\/demo\.example\/service\/checkout\)/);
    assert.match(dual, /^ {3}\| Signature-Input: sig1=\([^)]*"authorization"[^)]*\)/m);
    assert.match(dual, /"bearerBeside":"wimse:\/\/demo\.example\/service\/checkout"/);
    assert.match(dual, /AS EXPECTED {2}201 http-signature$/);

    // 4. and 5. WIT only, then the ratchet; billing, not migrated, is unaffected.
    for (const [label, outcome] of [
      ['checkout sends its WIT', '201 http-signature'],
      ['checkout \\(or whoever stole it\\) sends its old bearer token', '401 bearer_ratcheted'],
      ['checkout sends a freshly issued bearer token: refused too', '401 bearer_ratcheted'],
      ['billing, not migrated, still works on bearer \\(the ratchet is per caller\\)', '201 bearer'],
      ["a forged WIT beside billing's valid bearer token: WIMSE decides, no fallback to bearer", '400 wit_invalid'],
      ["checkout's WIT sent as a bearer token", '401 wit_as_bearer'],
      ["checkout's WIT with billing's bearer token \\(two workloads in one request\\)", '401 bearer_subject_mismatch'],
    ]) {
      assert.match(stdout, new RegExp(`-- ${label}\\n(?:   .*\\n)*?   AS EXPECTED  ${outcome}\\n`), label);
    }
    assert.match(
      stepOutput(stdout, 'checkout (or whoever stole it) sends its old bearer token'),
      /response www-authenticate: Bearer error="invalid_token"/,
    );

    // 7. The report after: checkout migrated, billing still on bearer and listed first.
    const after = stdout.slice(stdout.indexOf('== 7. the migration report, after checkout migrated =='));
    assert.match(after, /^ {3}wimse:\/\/demo\.example\/service\/billing: bearer x2; not migrated$/m);
    assert.match(
      after,
      /^ {3}wimse:\/\/demo\.example\/service\/checkout: bearer x1, http-signature x2; migrated at \d{4}-\d{2}-\d{2}T/m,
    );
    assert.ok(after.indexOf('service/billing') < after.indexOf('service/checkout'), 'bearer users come first');

    // No token anywhere in the output: only redacted Authorization fields and decoded claims.
    assert.doesNotMatch(stdout, /Bearer eyJ/);
    assert.doesNotMatch(stdout, /UNEXPECTED/);
    assert.match(stdout, /all 13 steps behaved as expected/);
  });
});
