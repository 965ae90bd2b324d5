import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch, type WimseFetch } from '@wimse-pep/client';
import { MemoryMigrationStore } from '@wimse-pep/core';
import {
  AUDIENCE,
  BEARER_AUDIENCE,
  BEARER_ISSUER,
  CALLER_ID,
  createScenario,
  generateTestKey,
  mintBearer,
  now,
  type Scenario,
} from '../support/index.js';
import expressHarness from './harness-express.js';
import fastifyHarness from './harness-fastify.js';
import koaHarness from './harness-koa.js';
import nestExpressHarness from './harness-nest-express.js';
import nestFastifyHarness from './harness-nest-fastify.js';

/**
 * The calling side of a migration against each framework adapter on a real server, with the
 * core's own bearer verification: createWimseFetch with a bearer token only, then dual-sending,
 * then the ratchet refusing the bearer token; a bearer token swapped in transit is caught by the
 * signature that covers `authorization`.
 */
for (const harness of [expressHarness, fastifyHarness, koaHarness, nestExpressHarness, nestFastifyHarness]) {
  describe(`@wimse-pep/client bearer option against @wimse-pep/${harness.name} (migration mode either)`, () => {
    const bearerKey = generateTestKey('ES256', 'bearer-1');
    let scenario: Scenario;
    let server: Server;
    let url: string;
    let token: string;
    before(async () => {
      scenario = await createScenario();
      token = await mintBearer({ key: bearerKey, sub: CALLER_ID });
      server = await harness.createServer({
        verifier: scenario.options,
        audit: () => {},
        bodyParser: 'json',
        parserPosition: 'after',
        migration: {
          bearer: {
            jwt: { issuer: BEARER_ISSUER, audience: BEARER_AUDIENCE, jwks: { keys: [bearerKey.publicJwk] } },
            origins: ['wimse://td.example'],
          },
          store: new MemoryMigrationStore(),
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m/either`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const signing = () => ({
      credentials: { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
      // The service answers as AUDIENCE although the test reaches it on 127.0.0.1.
      audience: (target: URL) => `${AUDIENCE}${target.pathname}`,
    });
    const answer = async (fetchFn: WimseFetch) => {
      const response = await fetchFn(url);
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as Record<string, unknown>,
      };
    };

    it('bearer only, dual send, swapped token, then the ratchet: in that order', async () => {
      const legacy = await answer(createWimseFetch({ bearer: token, now }));
      assert.equal(legacy.status, 200, JSON.stringify(legacy.body));
      assert.equal(legacy.body.workload, CALLER_ID);
      assert.equal(legacy.body.proof, 'bearer');
      assert.match(String(legacy.headers.get('deprecation')), /^@\d+$/);

      // A bearer token replaced on the way: the signature over authorization no longer verifies,
      // and the WIMSE failure decides (never retried as bearer).
      const swapped = await mintBearer({ key: bearerKey, sub: 'wimse://td.example/service/other' });
      const tampered = await answer(
        createWimseFetch({
          ...signing(),
          bearer: token,
          now,
          fetch: (input, init) =>
            fetch(input, { ...init, headers: { ...(init.headers as object), authorization: `Bearer ${swapped}` } }),
        }),
      );
      assert.equal(tampered.status, 400, JSON.stringify(tampered.body));
      assert.equal(tampered.body.code, 'signature_invalid');

      const dual = await answer(createWimseFetch({ ...signing(), bearer: token, now }));
      assert.equal(dual.status, 200, JSON.stringify(dual.body));
      assert.deepEqual(dual.body, { workload: CALLER_ID, proof: 'http-signature', bearer: CALLER_ID, mismatch: false });

      // The valid WIT set the ratchet: the same bearer token alone is now refused.
      const ratcheted = await answer(createWimseFetch({ bearer: token, now }));
      assert.equal(ratcheted.status, 401, JSON.stringify(ratcheted.body));
      assert.equal(ratcheted.body.code, 'bearer_ratcheted');
      assert.match(String(ratcheted.headers.get('www-authenticate')), /^Bearer error="invalid_token"/);
    });
  });
}
