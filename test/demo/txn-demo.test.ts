import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDemo, stepOutput } from '../support/run-demo.js';

describe('the Transaction Token demo (examples/demo-txn/run-txn-demo.ts)', () => {
  it('one transaction crosses three services, each verifying its caller and the same Txn-Token; the chain refuses the rest', {
    timeout: 60_000,
  }, async () => {
    const { code, stdout, stderr } = await runDemo('examples/demo-txn/run-txn-demo.ts');
    assert.equal(code, 0, `${stdout}\n${stderr}`);

    const chain = stepOutput(stdout, 'checkout orders for alice; each hop verifies its caller and the same Txn-Token');
    const txn = /txn ([0-9a-f-]{36}), sub user:alice/.exec(chain)?.[1];
    assert.ok(txn, 'the token checkout obtained names its transaction');
    for (const [service, caller, proof] of [
      ['orders', 'checkout', 'http-signature'],
      ['payments', 'orders', 'http-signature'],
      ['ledger', 'payments', 'wpt'],
    ]) {
      assert.match(
        chain,
        new RegExp(
          `   ${service}: audit: authentication allow, wimse://demo\\.example/service/${caller} by ${proof}, txn ${txn}, Txn-Token sha-256 `,
        ),
      );
    }
    assert.match(chain, /checkout received 201 .*"ledger":\{"entry":1,"txn":"[0-9a-f-]{36}","for":"user:alice"\}/);

    assert.match(
      stepOutput(stdout, 'a hop swaps the Txn-Token for one with a larger amount'),
      /AS EXPECTED {2}400 signature_invalid$/,
    );
    const unscoped = stepOutput(stdout, 'a Txn-Token without payments:charge: orders accepts, payments refuses');
    assert.match(
      unscoped,
      /payments: audit: authorization deny policy_denied, wimse:\/\/demo\.example\/service\/orders/,
    );
    assert.match(unscoped, /AS EXPECTED {2}502 policy_denied$/);
    assert.match(stepOutput(stdout, 'an amount over the payments limit in tctx'), /AS EXPECTED {2}502 policy_denied$/);
    assert.match(
      stepOutput(stdout, 'a Txn-Token signed with another Transaction Token Service key'),
      /orders: audit: authentication deny txn_token_unknown_key, wimse:\/\/demo\.example\/service\/checkout/,
    );
    assert.match(
      stepOutput(stdout, 'no Txn-Token where the route requires one'),
      /AS EXPECTED {2}400 txn_token_missing$/,
    );
    assert.match(stdout, /== 3\. the ledger ==\n {3}[0-9a-f-]{36} user:alice 125\n {3}AS EXPECTED/);
    // The demo prints claims and hashes, never a token.
    assert.doesNotMatch(stdout, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    assert.match(stdout, /every step behaved as expected/);
  });
});
