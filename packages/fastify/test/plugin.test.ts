import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type AuditEvent, allowWorkloads, type ProtectionMode, type WorkloadRequest } from '@wimse-pep/core';
import { requireWorkload, type WimsePluginOptions, wimse } from '@wimse-pep/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import request from 'supertest';
import {
  BEARER_AUDIENCE,
  BEARER_ISSUER,
  CALLER_ID,
  createScenario,
  generateTestKey,
  mintBearer,
  type Scenario,
  signedWorkloadRequest,
} from '../../../test/support/index.js';

const OTHER_ID = 'wimse://td.example/service/other';
let scenario: Scenario;
const apps: FastifyInstance[] = [];
before(async () => {
  scenario = await createScenario();
});
after(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

const answer = async (req: FastifyRequest) => ({
  workload: req.workload?.id ?? null,
  body: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : (req.body ?? null),
});

async function build(
  options: Partial<WimsePluginOptions> = {},
  setup: (app: FastifyInstance) => void = () => {},
): Promise<{ server: Server; events: AuditEvent[] }> {
  const events: AuditEvent[] = [];
  const app = Fastify();
  apps.push(app);
  await app.register(wimse, { verifier: scenario.options, audit: (event) => events.push(event), ...options });
  app.get('/orders', answer);
  app.post('/orders', answer);
  app.post('/public', { config: { wimse: { mode: 'off' } } }, answer);
  app.get('/maybe', { config: { wimse: { mode: 'optional' } } }, answer);
  app.get('/admin', { config: { wimse: { policy: allowWorkloads(OTHER_ID) } } }, answer);
  app.get('/hooked/onrequest', { onRequest: requireWorkload(allowWorkloads(OTHER_ID)) }, answer);
  app.get('/hooked/prehandler', { preHandler: requireWorkload(allowWorkloads(CALLER_ID)) }, answer);
  setup(app);
  await app.ready();
  return { server: app.server, events };
}

type Req = Parameters<typeof signedWorkloadRequest>[1];
/** Signs `signedAs` and sends it, optionally with a different body than the one signed. */
async function send(server: Server, signedAs: Req & { target: string }, sentBody?: string) {
  const signed = await signedWorkloadRequest(scenario, signedAs);
  const method = (signedAs.method ?? 'GET').toLowerCase() as 'get' | 'post';
  let call = request(server)[method](signedAs.target).set(signed.headers);
  const body = sentBody ?? signedAs.body;
  if (body !== undefined) call = call.send(typeof body === 'string' ? body : Buffer.from(body));
  return call;
}

function assertProblem(response: request.Response, status: number, code: string): void {
  assert.equal(response.status, status);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = JSON.parse(response.text) as Record<string, unknown>;
  assert.equal(problem.status, status);
  assert.equal(problem.code, code);
  assert.equal(problem.type, `https://www.npmjs.com/package/@wimse-pep/core#${code.replaceAll('_', '-')}`);
  assert.equal(typeof problem.title, 'string');
}

const json = { 'content-type': 'application/json' };

describe('@wimse-pep/fastify', () => {
  it('verifies a signed GET, attaches request.workload and audits one allow', async () => {
    const { server, events } = await build();
    const response = await send(server, { target: '/orders?id=7&b=2' });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { workload: CALLER_ID, body: null });
    assert.deepEqual(
      events.map((e) => [e.stage, e.decision, e.route]),
      [['authentication', 'allow', '/orders']],
    );
  });

  it('verifies a signed JSON POST and Fastify still parses the body', async () => {
    const { server } = await build();
    const response = await send(server, { method: 'POST', target: '/orders', headers: json, body: '{"qty":1}' });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { workload: CALLER_ID, body: { qty: 1 } });
  });

  it('refuses a tampered JSON body with 400 digest_mismatch, without the detail', async () => {
    const { server } = await build();
    const response = await send(
      server,
      { method: 'POST', target: '/orders', headers: json, body: '{"qty":1}' },
      '{"qty":9}',
    );
    assertProblem(response, 400, 'digest_mismatch');
    assert.equal(JSON.parse(response.text).detail, undefined);
  });

  it('puts the detail in the problem when exposeErrorDetail is set', async () => {
    const { server } = await build({ exposeErrorDetail: true });
    const response = await send(
      server,
      { method: 'POST', target: '/orders', headers: json, body: '{"qty":1}' },
      '{"qty":9}',
    );
    assertProblem(response, 400, 'digest_mismatch');
    assert.match(JSON.parse(response.text).detail, /does not match/);
  });

  it('refuses a request whose query was changed after signing', async () => {
    const { server } = await build();
    const signed = await signedWorkloadRequest(scenario, { target: '/orders?id=7' });
    assertProblem(await request(server).get('/orders?id=8').set(signed.headers), 400, 'signature_invalid');
  });

  it('custom content-type parsers (stream and buffer) still receive the body', async () => {
    const { server } = await build({}, (app) => {
      app.addContentTypeParser('application/x-ndjson', (_req, payload, done) => {
        const chunks: Buffer[] = [];
        payload.on('data', (chunk: Buffer) => chunks.push(chunk));
        payload.on('end', () => done(null, Buffer.concat(chunks).toString('utf8').trim().split('\n')));
      });
      app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    });
    const ndjson = await send(server, {
      method: 'POST',
      target: '/orders',
      headers: { 'content-type': 'application/x-ndjson' },
      body: '{"a":1}\n{"b":2}\n',
    });
    assert.equal(ndjson.status, 200);
    assert.deepEqual(ndjson.body.body, ['{"a":1}', '{"b":2}']);
    const csv = await send(server, {
      method: 'POST',
      target: '/orders',
      headers: { 'content-type': 'text/csv' },
      body: 'a,b\n1,2',
    });
    assert.equal(csv.status, 200);
    assert.equal(csv.body.body, 'a,b\n1,2');
  });

  it('verifies before content-type parsing: no 415 for an unauthenticated caller', async () => {
    const { server } = await build();
    const anonymous = await request(server).post('/orders').set('content-type', 'application/x-unknown').send('x');
    assertProblem(anonymous, 401, 'credentials_missing');
    const signed = await send(server, {
      method: 'POST',
      target: '/orders',
      headers: { 'content-type': 'application/x-unknown' },
      body: 'x',
    });
    assert.equal(signed.status, 415);
  });

  it('refuses a request without credentials with 401 credentials_missing problem+json (WPTs are accepted)', async () => {
    const { server, events } = await build();
    const missing = await request(server).get('/orders');
    assertProblem(missing, 401, 'credentials_missing');
    assert.equal(missing.headers['www-authenticate'], 'WPT');
    assert.deepEqual(
      events.map((e) => [e.decision, e.code]),
      [['deny', 'credentials_missing']],
    );
  });

  it('refuses an authenticated caller that the route policy does not allow with 403', async () => {
    const { server, events } = await build();
    assertProblem(await send(server, { target: '/admin' }), 403, 'policy_denied');
    assert.deepEqual(
      events.map((e) => [e.stage, e.decision]),
      [
        ['authentication', 'allow'],
        ['authorization', 'deny'],
      ],
    );
  });

  it('requireWorkload works as onRequest and as preHandler', async () => {
    const { server } = await build();
    assertProblem(await send(server, { target: '/hooked/onrequest' }), 403, 'policy_denied');
    assertProblem(await request(server).get('/hooked/onrequest'), 401, 'credentials_missing');
    const allowed = await send(server, { target: '/hooked/prehandler' });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.body.workload, CALLER_ID);
  });

  it('requireWorkload without the plugin fails closed', async () => {
    const app = Fastify();
    apps.push(app);
    app.get('/x', { onRequest: requireWorkload(allowWorkloads(CALLER_ID)) }, answer);
    await app.ready();
    assert.equal((await request(app.server).get('/x')).status, 500);
  });

  it('optional route: no credentials pass with workload null, bad credentials are refused', async () => {
    const { server } = await build();
    const anonymous = await request(server).get('/maybe');
    assert.equal(anonymous.status, 200);
    assert.deepEqual(anonymous.body, { workload: null, body: null });
    const verified = await send(server, { target: '/maybe' });
    assert.equal(verified.body.workload, CALLER_ID);
    const forged = await request(server).get('/maybe').set('workload-identity-token', 'not-a-jwt');
    assert.equal(forged.status, 400);
  });

  it('off route: WIMSE headers are ignored and the body reaches the parser untouched', async () => {
    const { server, events } = await build();
    const response = await request(server)
      .post('/public')
      .set('workload-identity-token', 'garbage')
      .set('content-type', 'application/json')
      .send('{"open":true}');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { workload: null, body: { open: true } });
    assert.equal(events.length, 0);
  });

  it('plugin mode off with a route that opts in to required', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(wimse, { verifier: scenario.options, mode: 'off' });
    app.get('/orders', answer);
    app.get('/strict', { config: { wimse: { mode: 'required', policy: allowWorkloads(CALLER_ID) } } }, answer);
    await app.ready();
    assert.deepEqual((await request(app.server).get('/orders')).body, { workload: null, body: null });
    assertProblem(await request(app.server).get('/strict'), 401, 'credentials_missing');
    assert.equal((await send(app.server, { target: '/strict' })).body.workload, CALLER_ID);
  });

  it('refuses a body over bodyLimit with 413 body_too_large (declared and chunked)', async () => {
    const { server } = await build({ bodyLimit: 16 });
    const body = '{"padding":"0123456789abcdef"}';
    assertProblem(
      await send(server, { method: 'POST', target: '/orders', headers: json, body }),
      413,
      'body_too_large',
    );
    const signed = await signedWorkloadRequest(scenario, { method: 'POST', target: '/orders', headers: json, body });
    const chunked = request(server).post('/orders').set(signed.headers).set('transfer-encoding', 'chunked');
    chunked.write(body.slice(0, 10));
    chunked.write(body.slice(10));
    assertProblem(await chunked, 413, 'body_too_large');
  });

  it('fails closed with 500 body_unavailable when the body was consumed before the plugin', async () => {
    const app = Fastify();
    apps.push(app);
    app.addHook('preParsing', async (req, _reply, payload) => {
      for await (const _ of payload) {
        // drain
      }
      return req.raw; // an already-ended stream
    });
    await app.register(wimse, { verifier: scenario.options });
    app.post('/orders', answer);
    await app.ready();
    const response = await send(app.server, { method: 'POST', target: '/orders', headers: json, body: '{}' });
    assertProblem(response, 500, 'body_unavailable');
  });

  it("leaves the app's own setErrorHandler in charge of the app's errors", async () => {
    const seen: string[] = [];
    const { server } = await build({}, (app) => {
      app.setErrorHandler((error: Error, _req, reply) => {
        seen.push(error.message);
        return reply.code(418).send({ mine: true });
      });
      app.get('/boom', { config: { wimse: { mode: 'off' } } }, async () => {
        throw new Error('boom');
      });
    });
    const boom = await request(server).get('/boom');
    assert.equal(boom.status, 418);
    assert.deepEqual(boom.body, { mine: true });
    assertProblem(await request(server).get('/orders'), 401, 'credentials_missing');
    assert.deepEqual(seen, ['boom']);
  });

  it('hands the core the target as received and repeated field lines apart', async () => {
    const seen: WorkloadRequest[] = [];
    const spy = (_identity: unknown, req: WorkloadRequest) => {
      seen.push(req);
      return true;
    };
    const { server } = await build({}, (app) => {
      app.get('/seen', { config: { wimse: { policy: spy } } }, answer);
    });
    const signed = await signedWorkloadRequest(scenario, { target: '/seen?b=2&a=%2F' });
    const response = await request(server)
      .get('/seen?b=2&a=%2F')
      .set(signed.headers)
      .set('x-dup', ['a', 'b'] as unknown as string); // superagent sends one line per item
    assert.equal(response.status, 200);
    assert.equal(seen[0]?.target, '/seen?b=2&a=%2F');
    assert.deepEqual(seen[0]?.headers['x-dup'], ['a', 'b']);
  });

  it('unknown routes are verified too: 401 without credentials, 404 with', async () => {
    const { server } = await build();
    assertProblem(await request(server).get('/nope'), 401, 'credentials_missing');
    assert.equal((await send(server, { target: '/nope' })).status, 404);
  });

  it('exposes the guard and the migration operations as app.wimse, typed, without a private symbol', async () => {
    const bearerKey = generateTestKey('ES256', 'bearer-1');
    const app = Fastify();
    apps.push(app);
    await app.register(wimse, {
      verifier: scenario.options,
      migration: {
        bearer: {
          jwt: { issuer: BEARER_ISSUER, audience: BEARER_AUDIENCE, jwks: { keys: [bearerKey.publicJwk] } },
          origins: ['wimse://td.example'],
        },
        mode: 'either',
      },
    });
    app.get('/orders', answer);
    await app.ready();
    assert.equal(typeof app.wimse.guard.authenticate, 'function');
    const token = await mintBearer({ key: bearerKey, sub: OTHER_ID });
    const response = await request(app.server).get('/orders').set('authorization', `Bearer ${token}`);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.workload, OTHER_ID);
    const report = await app.wimse.migrationReport();
    assert.deepEqual(
      report.callers.map((caller) => caller.id),
      [OTHER_ID],
    );
    await app.wimse.resetMigration(OTHER_ID);
    assert.deepEqual((await app.wimse.migrationReport()).callers, []);
    // Without a migration option the operations reject, as Express's and Koa's do.
    const plain = Fastify();
    apps.push(plain);
    await plain.register(wimse, { verifier: scenario.options });
    await plain.ready();
    await assert.rejects(plain.wimse.migrationReport(), /needs the guard's migration option/);
  });

  it('validates options and route config once, at registration', async () => {
    const badLimit = Fastify();
    badLimit.register(wimse, { verifier: scenario.options, bodyLimit: -1 });
    await assert.rejects(async () => badLimit.ready(), /bodyLimit/);
    const badMode = Fastify();
    badMode.register(wimse, { verifier: scenario.options, mode: 'sometimes' as ProtectionMode });
    await assert.rejects(async () => badMode.ready(), /mode/);
    const badRoute = Fastify();
    await badRoute.register(wimse, { verifier: scenario.options });
    assert.throws(
      () => badRoute.get('/x', { config: { wimse: { mode: 'never' as ProtectionMode } } }, answer),
      /config\.wimse\.mode/,
    );
    assert.throws(
      () => badRoute.get('/y', { config: { wimse: { mode: 'off', policy: allowWorkloads(CALLER_ID) } } }, answer),
      /mode off/,
    );
    await badRoute.close();
    const offByDefault = Fastify();
    await offByDefault.register(wimse, { verifier: scenario.options, mode: 'off' });
    assert.throws(
      () => offByDefault.get('/z', { config: { wimse: { policy: allowWorkloads(CALLER_ID) } } }, answer),
      /mode off/,
    );
    await offByDefault.close();
  });
});
