import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch, ResponseVerificationError, responderOf } from '@wimse-pep/client';
import { createVerifier } from '@wimse-pep/core';
import { AUDIENCE, CALLER_ID, createScenario, now, type Scenario } from '../support/index.js';
import { SERVER_ID } from './harness.js';
import expressHarness from './harness-express.js';
import fastifyHarness from './harness-fastify.js';
import koaHarness from './harness-koa.js';
import nestExpressHarness from './harness-nest-express.js';
import nestFastifyHarness from './harness-nest-fastify.js';
import { responseSigningFor, serverCredentialsFor } from './signing-config.js';

/**
 * The calling side against each framework adapter on a real server: createWimseFetch signs, the
 * adapter verifies and attaches the identity, the adapter signs its response with the service's
 * WIT, and the client verifies that response against the request it sent.
 */
for (const harness of [expressHarness, fastifyHarness, koaHarness, nestExpressHarness, nestFastifyHarness]) {
  describe(`@wimse-pep/client against @wimse-pep/${harness.name}`, () => {
    let scenario: Scenario;
    let server: Server;
    let base: string;
    before(async () => {
      scenario = await createScenario();
      server = await harness.createServer({
        verifier: scenario.options,
        audit: () => {},
        bodyParser: 'json',
        parserPosition: 'after',
        ...responseSigningFor('requested', await serverCredentialsFor(scenario)),
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const client = (expectedId = SERVER_ID) =>
      createWimseFetch({
        credentials: { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
        // The service answers as AUDIENCE although the test reaches it on 127.0.0.1.
        audience: (url) => `${AUDIENCE}${url.pathname}`,
        now,
        requireSignedResponse: { verifier: createVerifier(scenario.options), expectedId },
      });

    it('GET: identity attached on the server, signed response verified on the client', async () => {
      const response = await client()(`${base}/orders?id=7`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { workload: CALLER_ID, body: null });
      assert.equal(responderOf(response)?.id, SERVER_ID);
    });

    it('POST JSON: the body is digested, parsed by the app, and the response verified', async () => {
      const response = await client()(`${base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ item: 'tea' }),
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { workload: CALLER_ID, body: { item: 'tea' } });
      assert.equal(responderOf(response)?.id, SERVER_ID);
    });

    it('a signed response from another workload than expected is rejected (R6)', async () => {
      await assert.rejects(
        client('wimse://td.example/service/payments')(`${base}/orders?id=8`),
        (error: unknown) => error instanceof ResponseVerificationError && error.code === 'unexpected_responder',
      );
    });
  });
}
