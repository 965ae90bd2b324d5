/**
 * The client never signs for longer than a verifier with default options accepts: the longest
 * lifetime it allows is accepted by a real service running the defaults, and a longer one is
 * refused when the client is created, with the limit and the reason.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch, MAX_SIGNATURE_LIFETIME_SEC, MAX_WPT_LIFETIME_SEC, signRequest } from '@wimse-pep/client';
import { createVerifier, isWimseError, type WorkloadVerifier } from '@wimse-pep/core';
import { CALLER_ID, createScenario, now, type Scenario } from '../../../test/support/index.js';

let scenario: Scenario;
let server: Server;
let base = '';
/** Default options but the trust, the audience and the scenario's clock. */
let verifier: WorkloadVerifier;

before(async () => {
  scenario = await createScenario();
  server = createServer(async (req, res) => {
    try {
      const identity = await verifier.verify({ method: req.method ?? '', target: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: identity.id }));
    } catch (error) {
      res.writeHead(isWimseError(error) ? error.status : 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: isWimseError(error) ? error.code : 'internal' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  verifier = createVerifier({ trustDomains: scenario.options.trustDomains, audiences: [base], now });
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const credentials = () => ({
  wit: scenario.wit,
  privateKey: scenario.workloadKey.privateKey,
  alg: scenario.workloadKey.alg,
});

describe('lifetimeSec is capped at what a verifier accepts by default', () => {
  it("the caps are the verifier's defaults", () => {
    assert.equal(MAX_SIGNATURE_LIFETIME_SEC, verifier.settings.maxSignatureLifetimeSec);
    assert.equal(MAX_WPT_LIFETIME_SEC, verifier.settings.wpt?.maxLifetimeSec);
  });

  for (const [proof, max, option] of [
    ['http-signature', MAX_SIGNATURE_LIFETIME_SEC, 'maxSignatureLifetimeSec'],
    ['wpt', MAX_WPT_LIFETIME_SEC, 'wpt.maxLifetimeSec'],
  ] as const) {
    it(`${proof}: ${max} s is accepted by a default service; ${max + 1} s is refused when the client is created`, async () => {
      const longest = createWimseFetch({ credentials: credentials(), proof, lifetimeSec: max, now });
      const response = await longest(`${base}/orders`);
      assert.equal(response.status, 200, await response.clone().text());
      assert.equal(((await response.json()) as { id: string }).id, CALLER_ID);
      for (const lifetimeSec of [max + 1, 3600]) {
        assert.throws(
          () => createWimseFetch({ credentials: credentials(), proof, lifetimeSec }),
          (error: unknown) => {
            assert.ok(error instanceof TypeError);
            assert.equal(
              error.message,
              `createWimseFetch: lifetimeSec must be an integer from 1 to ${max} (a verifier's default ${option} refuses longer ${proof === 'wpt' ? 'WPTs' : 'signatures'}), got ${lifetimeSec}`,
            );
            return true;
          },
        );
      }
    });
  }

  it('signRequest holds to the same cap', async () => {
    const signed = await signRequest({ method: 'GET', url: `${base}/orders` }, credentials(), {
      lifetimeSec: MAX_SIGNATURE_LIFETIME_SEC,
      now,
    });
    const response = await fetch(`${base}/orders`, { headers: signed.headers });
    assert.equal(response.status, 200, await response.text());
    await assert.rejects(
      signRequest({ method: 'GET', url: `${base}/orders` }, credentials(), { lifetimeSec: 361 }),
      /^TypeError: signRequest: lifetimeSec must be an integer from 1 to 360/,
    );
  });
});
