import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch } from '@wimse-pep/client';
import { createVerifier, isWimseError, type WorkloadIdentity } from '@wimse-pep/core';
import { CALLER_ID, createScenario, type Scenario } from '../../../test/support/index.js';

/**
 * `createWimseFetch({ proof: 'wpt' })` against a real node:http service verifying with the core:
 * a fresh WPT per request, the Txn-Token and configured context tokens bound.
 */
describe('createWimseFetch with proof wpt', () => {
  let scenario: Scenario;
  let server: Server;
  let base: string;
  const seen: string[] = [];
  before(async () => {
    scenario = await createScenario();
    server = createServer(async (req, res) => {
      seen.push(String(req.headers.authorization));
      const verifier = createVerifier({ ...scenario.options, audiences: [base], wpt: { otherTokens: ['x-user'] } });
      try {
        const identity: WorkloadIdentity = await verifier.verify({
          method: req.method ?? '',
          target: req.url ?? '',
          headers: req.headersDistinct,
        });
        const bound = identity.proof === 'wpt' ? identity.boundTokens : [];
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id: identity.id, proof: identity.proof, bound }));
      } catch (error) {
        const status = isWimseError(error) ? error.status : 500;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: isWimseError(error) ? error.code : 'internal' }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const wimseFetch = () =>
    createWimseFetch({
      proof: 'wpt',
      credentials: { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
      wptOtherTokens: ['x-user'],
      now: scenario.options.now,
    });

  it('sends a WPT the service verifies, a fresh one per request', async () => {
    seen.length = 0;
    const fetchWpt = wimseFetch();
    for (let i = 0; i < 2; i++) {
      const response = await fetchWpt(`${base}/orders?id=${i}`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { id: CALLER_ID, proof: 'wpt', bound: [] });
    }
    assert.equal(seen.length, 2);
    assert.match(seen[0] as string, /^WPT [\w-]+\.[\w-]+\.[\w-]+$/);
    assert.notEqual(seen[0], seen[1]);
  });
  it('binds a Txn-Token (tth) and a configured context token (oth)', async () => {
    // Shaped as a compact JWT: the client refuses to send anything else as a Txn-Token.
    const txnToken = 'eyJhbGciOiJFUzI1NiIsInR5cCI6InR4bl90b2tlbiJ9.eyJ0eG4iOiJ0eG4tMTIzIn0.c2lnbmF0dXJl';
    const response = await wimseFetch()(`${base}/orders`, {
      method: 'POST',
      headers: { 'txn-token': txnToken, 'x-user': 'alice' },
      body: '{"a":1}',
    });
    assert.deepEqual(await response.json(), { id: CALLER_ID, proof: 'wpt', bound: ['txn-token', 'x-user'] });
  });
  it('refuses a caller-set Authorization and the options a WPT cannot honour', async () => {
    await assert.rejects(wimseFetch()(`${base}/orders`, { headers: { authorization: 'Bearer x' } }), /authorization/);
    const credentials = { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey };
    assert.throws(() => createWimseFetch({ proof: 'wpt', credentials, bearer: 'tok' }), /proof wpt/);
    assert.throws(() => createWimseFetch({ proof: 'wpt' as 'wpt', bearer: 'tok' }), /proof wpt/);
    assert.throws(() => createWimseFetch({ proof: 'magic' as 'wpt', credentials }), /unknown proof/);
  });
});
