/**
 * The calling side of Transaction Tokens against a real service: a Txn-Token is forwarded unchanged
 * and bound to the proof (covered by the signature, hashed into a WPT's `tth`), never shown by
 * `onRequest`, and a received request's token is read for forwarding only when there is one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch, forwardTransactionToken, type SentRequest } from '@wimse-pep/client';
import { tokenHash } from '@wimse-pep/core/signing';
import { decodeJwt } from 'jose';
import { generateTestKey, mintTxnToken } from '../../../test/support/index.js';
import { CALLER_ID, startTestService, type TestService, TestTrust } from './support/test-service.js';

const trust = new TestTrust();
const callerKey = generateTestKey('EdDSA');
const ttsKey = generateTestKey('ES256', 'tts-1');
let service: TestService;
let credentials: { wit: string; privateKey: typeof callerKey.privateKey };

before(async () => {
  service = await startTestService(trust);
  credentials = { wit: await trust.wit(CALLER_ID, callerKey), privateKey: callerKey.privateKey };
});
after(() => service.close());

const lastSeen = () => service.seen.at(-1);

describe('createWimseFetch forwards a Txn-Token, bound to its proof', () => {
  it('option transactionToken: sent unchanged, covered by the HTTP signature, redacted for onRequest', async () => {
    const token = mintTxnToken({ key: ttsKey });
    const sent: SentRequest[] = [];
    const wimseFetch = createWimseFetch({ credentials, transactionToken: token, onRequest: (r) => sent.push(r) });
    const response = await wimseFetch(`${service.origin}/orders`);
    assert.equal(response.status, 200, await response.text());
    assert.equal(lastSeen()?.headers['txn-token'], token);
    assert.match(String(lastSeen()?.headers['signature-input']), /"txn-token"/);
    assert.equal(sent[0]?.headers['txn-token'], '[redacted]');
    assert.ok(!JSON.stringify(sent).includes(token));
  });

  it('a function of the target URL: a token for some targets only', async () => {
    const token = mintTxnToken({ key: ttsKey });
    const wimseFetch = createWimseFetch({
      credentials,
      transactionToken: (url) => (url.pathname.startsWith('/payments') ? token : undefined),
    });
    await wimseFetch(`${service.origin}/payments/1`);
    assert.equal(lastSeen()?.headers['txn-token'], token);
    await wimseFetch(`${service.origin}/orders/1`);
    assert.equal(lastSeen()?.headers['txn-token'], undefined);
    assert.doesNotMatch(String(lastSeen()?.headers['signature-input']), /txn-token/);
  });

  it('with a WPT: the tth claim is the hash of the token sent', async () => {
    const token = mintTxnToken({ key: ttsKey });
    const wimseFetch = createWimseFetch({ credentials, proof: 'wpt', transactionToken: token });
    const response = await wimseFetch(`${service.origin}/orders`);
    assert.equal(response.status, 200, await response.text());
    const wpt = String(lastSeen()?.headers.authorization).replace(/^WPT /, '');
    assert.equal(decodeJwt(wpt).tth, tokenHash(token));
    assert.equal(lastSeen()?.headers['txn-token'], token);
  });

  it('a header the caller sets itself wins over the option; a value that is not one JWT is refused before sending', async () => {
    const option = mintTxnToken({ key: ttsKey });
    const own = mintTxnToken({ key: ttsKey });
    const wimseFetch = createWimseFetch({ credentials, transactionToken: option });
    await wimseFetch(`${service.origin}/orders`, { headers: { 'txn-token': own } });
    assert.equal(lastSeen()?.headers['txn-token'], own);
    const seen = service.seen.length;
    await assert.rejects(
      wimseFetch(`${service.origin}/orders`, { headers: { 'txn-token': `${own}, ${own}` } }),
      TypeError,
    );
    assert.equal(service.seen.length, seen, 'nothing was sent');
    assert.throws(
      () => createWimseFetch({ credentials, transactionToken: 'not a token' }),
      /transactionToken must be one compact JWT/,
    );
    assert.throws(
      () => createWimseFetch({ credentials, transactionToken: 42 as never }),
      /transactionToken must be a Txn-Token or a function/,
    );
  });
});

describe('forwardTransactionToken: the token of the request being handled', () => {
  const token = mintTxnToken({ key: ttsKey });

  it('from Node headers, Fetch API Headers, or none at all', () => {
    assert.deepEqual(forwardTransactionToken({ 'txn-token': token, host: 'x' }), { 'txn-token': token });
    assert.deepEqual(forwardTransactionToken(new Headers({ 'Txn-Token': token })), { 'txn-token': token });
    assert.deepEqual(forwardTransactionToken({ host: 'x' }), {});
    assert.deepEqual(forwardTransactionToken(new Headers()), {});
  });

  it('two tokens, in two lines or one, or something else: a TypeError (forwarding would pick one)', () => {
    assert.throws(() => forwardTransactionToken({ 'txn-token': [token, token] }), /more than one Txn-Token/);
    assert.throws(() => forwardTransactionToken({ 'txn-token': `${token},${token}` }), /more than one Txn-Token/);
    const joined = new Headers();
    joined.append('txn-token', token);
    joined.append('txn-token', token);
    assert.throws(() => forwardTransactionToken(joined), /more than one Txn-Token/);
    assert.throws(() => forwardTransactionToken({ 'txn-token': 'garbage' }), /must be one compact JWT/);
  });
});
