/**
 * Threat rows O2 (a request proxied onward with its credentials) and O3 (credentials over a
 * plain-HTTP hop), through each framework adapter on real servers: the PEP marks what it consumed
 * on the identity, and refuses credentials sent over plain HTTP by a peer that is no declared hop.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import {
  type VerifierOptions,
  type WorkloadGuardOptions,
  type WorkloadIdentity,
  withoutConsumedFields,
} from '@wimse-pep/core';
import { wimse as expressWimse } from '@wimse-pep/express';
import { wimse as fastifyWimse } from '@wimse-pep/fastify';
import { wimse as koaWimse } from '@wimse-pep/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { AUDIENCE, CALLER_ID, createScenario, now, type Scenario, wptWorkloadRequest } from '../../support/index.js';

/** What the handler answers: the identity's consumed fields, and the fields it forwards onward. */
interface Answer {
  readonly workload: string | null;
  readonly consumed: readonly string[];
  readonly forwarded: Record<string, unknown>;
}

type Extras = Pick<WorkloadGuardOptions, 'plainHttpFrom'>;
type Factory = (verifier: VerifierOptions, extras?: Extras) => Promise<Server>;

/** The handler of every framework: it passes the request on, minus what the PEP consumed. */
const answer = (identity: WorkloadIdentity | null | undefined, headers: IncomingHttpHeaders): Answer => ({
  workload: identity?.id ?? null,
  consumed: identity?.consumedFields ?? [],
  forwarded: withoutConsumedFields(headers, identity ?? undefined),
});

const frameworks: Record<string, Factory> = {
  async express(verifier, extras) {
    const app = express();
    app.use(expressWimse({ verifier, ...extras }));
    app.get('/orders', (req, res) => {
      res.json(answer(req.workload, req.headers));
    });
    return createServer(app);
  },
  async fastify(verifier, extras) {
    const app = Fastify();
    await app.register(fastifyWimse, { verifier, ...extras });
    app.get('/orders', async (request) => answer(request.workload, request.headers));
    await app.ready();
    return app.server;
  },
  async koa(verifier, extras) {
    const app = new Koa();
    app.use(koaWimse({ verifier, ...extras }));
    app.use((ctx) => {
      ctx.body = answer(ctx.state.workload, ctx.request.headers);
    });
    return createServer(app.callback());
  },
};

let scenario: Scenario;
before(async () => {
  scenario = await createScenario();
});

/** One GET over plain HTTP from a chosen loopback source address. */
function get(
  port: number,
  headers: Record<string, string>,
  localAddress = '127.0.0.1',
): Promise<{ status: number; body: Answer & { code?: string } }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, path: '/orders', headers, localAddress }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function signedHeaders(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const signed = await signRequest(
    { method: 'GET', url: `${AUDIENCE}/orders`, headers: extra },
    { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
    { now },
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, String(value)]));
}

for (const [name, create] of Object.entries(frameworks)) {
  describe(`O2/O3 through ${name}`, () => {
    const servers: Server[] = [];
    const listen = async (verifier: VerifierOptions, extras?: Extras) => {
      const server = await create(verifier, extras);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    after(async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('[O2] the identity marks the fields its proof consumed; a handler forwarding without them keeps Txn-Token', async () => {
      const port = await listen(scenario.options);
      const headers = await signedHeaders({ 'txn-token': 'eyJ0eXAiOiJ0eG50b2tlbitqd3QifQ.e30.c2ln', 'x-trace': 't-1' });
      const { status, body } = await get(port, headers);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.workload, CALLER_ID);
      assert.deepEqual([...body.consumed].sort(), ['signature', 'signature-input', 'workload-identity-token']);
      for (const consumed of body.consumed) assert.equal(body.forwarded[consumed], undefined, consumed);
      assert.equal(body.forwarded['txn-token'], headers['txn-token'], 'a Txn-Token is forwarded unchanged');
      assert.equal(body.forwarded['x-trace'], 't-1');
    });
    it('[O2] a WPT consumes the WIT and Authorization', async () => {
      const port = await listen(scenario.options);
      const { headers } = wptWorkloadRequest(scenario);
      const { status, body } = await get(port, headers);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual([...body.consumed].sort(), ['authorization', 'workload-identity-token']);
      assert.equal(body.forwarded.authorization, undefined);
      assert.equal(body.forwarded['workload-identity-token'], undefined);
    });
    it('[O3] credentials over plain HTTP from a peer that is no declared hop: 400 transport_insecure', async () => {
      const port = await listen(scenario.options, { plainHttpFrom: ['127.0.0.1'] });
      const refused = await get(port, await signedHeaders(), '127.0.0.2');
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'transport_insecure');
      // From the declared hop the same kind of request is verified and accepted.
      const accepted = await get(port, await signedHeaders(), '127.0.0.1');
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.workload, CALLER_ID);
    });
    it('[O3] by default loopback peers are trusted hops (a TLS-terminating proxy on this host)', async () => {
      const port = await listen(scenario.options);
      const accepted = await get(port, await signedHeaders(), '127.0.0.2');
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    });
    it('[O3] a request without credentials over plain HTTP is refused for what it lacks, not for the hop', async () => {
      const port = await listen({ ...scenario.options, wpt: false }, { plainHttpFrom: ['10.0.0.0/8'] });
      const refused = await get(port, {}, '127.0.0.2');
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'wit_missing');
    });
  });
}
