import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { AuditEvent } from '@wimse-pep/core';
import { captureRawBody, requireWorkload, type WimseOptions, wimse, wimseErrorHandler } from '@wimse-pep/express';
import express, { type Express, type Request, type Response } from 'express';
import { expectOk, expectProblem, type Outgoing, send, signed } from '../../../test/adapters/cases.js';
import { CALLER_ID, createScenario, type Scenario } from '../../../test/support/index.js';

let scenario: Scenario;
const servers: Server[] = [];
before(async () => {
  scenario = await createScenario();
});
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

function answer(req: Request, res: Response): void {
  const body: unknown = req.body;
  res.json({
    workload: req.workload?.id ?? null,
    body: Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? null),
  });
}

/** An app whose setup is written by the test, listening on loopback. */
async function serve(setup: (app: Express, options: WimseOptions) => void, extra: Partial<WimseOptions> = {}) {
  const events: AuditEvent[] = [];
  const app = express();
  app.set('env', 'test'); // Express's final handler does not log in the test environment
  setup(app, { verifier: scenario.options, audit: (event) => events.push(event), ...extra });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, events };
}

const jsonPost = (body: string, headers: Record<string, string> = {}) =>
  signed(scenario, {
    method: 'POST',
    path: '/orders',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('express: a request stream set to decode text before wimse()', () => {
  it('is refused with 500 body_unavailable: the digest is never checked against decoded text', async () => {
    let reached = false;
    const { server, events } = await serve((app, options) => {
      app.use((req, _res, next) => {
        req.setEncoding('utf8');
        next();
      });
      app.use(wimse(options));
      app.post('/orders', (_req, res) => {
        reached = true;
        res.end();
      });
    });
    const response = await send(server, await jsonPost('{"a":1}'));
    expectProblem(response, 500, 'body_unavailable');
    assert.equal(reached, false);
    assert.deepEqual(
      events.map((event) => [event.decision, event.code]),
      [['deny', 'body_unavailable']],
    );
  });
});

describe('express: a body parser registered before wimse()', () => {
  for (const [name, parser, type, text] of [
    ['json', express.json(), 'application/json', '{"a":1}'],
    ['urlencoded', express.urlencoded(), 'application/x-www-form-urlencoded', 'a=1'],
    ['raw', express.raw(), 'application/octet-stream', 'bytes'],
  ] as const) {
    it(`${name} without captureRawBody: 500 body_unavailable naming the fix, never an unchecked body`, async () => {
      const { server, events } = await serve((app, options) => {
        app.use(parser);
        app.use(wimse(options));
        app.post('/orders', answer);
      });
      const message = await signed(scenario, {
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': type },
        body: text,
      });
      const response = await send(server, message);
      expectProblem(response, 500, 'body_unavailable');
      assert.match(
        String(response.body.detail),
        /register wimse\(\) before your body parser or pass \{ verify: captureRawBody \}/,
      );
      assert.deepEqual(
        events.map((event) => [event.decision, event.code]),
        [['deny', 'body_unavailable']],
      );
    });
  }

  it('a parser that does not match the content type leaves the stream to wimse()', async () => {
    const { server } = await serve((app, options) => {
      app.use(express.json());
      app.use(wimse(options));
      app.post('/orders', answer);
    });
    const message = await signed(scenario, {
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'text/plain' },
      body: 'plain',
    });
    expectOk(await send(server, message), CALLER_ID, null);
  });

  it('captureRawBody with a smaller wimse bodyLimit: 413 body_too_large', async () => {
    const { server } = await serve(
      (app, options) => {
        app.use(express.json({ verify: captureRawBody }));
        app.use(wimse(options));
        app.post('/orders', answer);
      },
      { bodyLimit: 8 },
    );
    expectProblem(await send(server, await jsonPost('{"a":"0123456789"}')), 413, 'body_too_large');
  });
});

describe('express: wimse() before the parser, reading and restoring the stream', () => {
  const parserAfter = (app: Express, options: WimseOptions) => {
    app.use(wimse(options));
    app.use(express.json({ limit: '2mb' }));
    app.use(express.text());
    app.post('/orders', answer);
  };

  it('a chunked body arriving in several pieces is verified and parsed', async () => {
    const { server } = await serve(parserAfter);
    const text = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ i, name: `item-${i}` })) });
    const message = await jsonPost(text);
    const response = await rawRequest(server, message, { chunks: 7, delayMs: 5 });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(JSON.parse(response.text), { workload: CALLER_ID, body: JSON.parse(text) });
  });

  it('a large body (600 KB) is verified and parsed', async () => {
    const { server } = await serve(parserAfter);
    const body = { pad: 'y'.repeat(600_000) };
    expectOk(await send(server, await jsonPost(JSON.stringify(body))), CALLER_ID, body);
  });

  it('Content-Length: 0 is left to the parser (express.json still yields {})', async () => {
    const { server } = await serve(parserAfter);
    const message = await jsonPost('');
    assert.equal(message.headers['content-digest'], undefined);
    const response = await rawRequest(server, message, { contentLength: true });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(JSON.parse(response.text), { workload: CALLER_ID, body: {} });
  });

  it('a chunked body of zero bytes is left to the parser too', async () => {
    const { server } = await serve(parserAfter);
    const message = await jsonPost('');
    const response = await rawRequest(server, {
      ...message,
      headers: { ...message.headers, 'transfer-encoding': 'chunked' },
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(JSON.parse(response.text), { workload: CALLER_ID, body: {} });
  });

  for (const text of ['', '{"late":true}']) {
    it(`headers first, then a ${text ? '' : 'zero-byte '}chunked body later`, async () => {
      const { server } = await serve(parserAfter);
      const message = await jsonPost(text);
      const response = await rawRequest(
        server,
        { ...message, headers: { ...message.headers, 'transfer-encoding': 'chunked' } },
        { headersFirstMs: 30 },
      );
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(JSON.parse(response.text), { workload: CALLER_ID, body: text ? JSON.parse(text) : {} });
    });
  }

  it('a compressed body: the digest covers the bytes as sent, the parser still inflates them', async () => {
    const { server } = await serve(parserAfter);
    const json = '{"compressed":true}';
    const message = await signRaw(gzipSync(json), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expectOk(await send(server, message), CALLER_ID, { compressed: true });
  });

  it('keep-alive: bodies nobody parses do not stall the connection', async () => {
    const { server } = await serve((app, options) => {
      app.use(wimse(options));
      app.post('/orders', answer);
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const response = await rawRequest(server, await jsonPost(`{"n":${i}}`), { agent, contentLength: true });
        assert.equal(response.status, 200, response.text);
      }
    } finally {
      agent.destroy();
    }
  });
});

describe('express: modes, policies and errors', () => {
  it('one request meets two wimse() middlewares: verified once (no replay), one audit event', async () => {
    const { server, events } = await serve((app, options) => {
      const pep = wimse(options);
      app.use(pep);
      const router = express.Router();
      router.use(pep.withMode('required'));
      router.get('/orders', answer);
      app.use('/api', router);
    });
    expectOk(await send(server, await signed(scenario, { path: '/api/orders' })), CALLER_ID);
    assert.equal(events.length, 1);
  });

  it('an optional route that falls through into required territory still needs an identity', async () => {
    const { server } = await serve((app, options) => {
      const pep = wimse(options);
      app.get('/maybe', pep.withMode('optional'), (_req, _res, next) => next());
      app.use(pep);
      app.get('/maybe', answer);
    });
    expectProblem(await send(server, { method: 'GET', path: '/maybe', headers: {} }), 401, 'credentials_missing');
    expectOk(await send(server, await signed(scenario, { path: '/maybe' })), CALLER_ID);
  });

  it('a router mounted under a path verifies the target as received (originalUrl)', async () => {
    const { server } = await serve((app, options) => {
      const router = express.Router();
      router.use(wimse(options));
      router.get('/orders', answer);
      app.use('/v1', router);
    });
    expectOk(await send(server, await signed(scenario, { path: '/v1/orders?id=1' })), CALLER_ID);
  });

  it('requireWorkload() without a policy: any workload, and an anonymous caller is 403', async () => {
    const { server } = await serve((app, options) => {
      app.get('/maybe', wimse(options).withMode('optional'), requireWorkload(), answer);
    });
    expectProblem(await send(server, { method: 'GET', path: '/maybe', headers: {} }), 403, 'policy_denied');
    expectOk(await send(server, await signed(scenario, { path: '/maybe' })), CALLER_ID);
  });

  it('requireWorkload() without wimse() fails closed with a 500', async () => {
    const { server } = await serve((app) => {
      app.get('/orders', requireWorkload(), answer);
    });
    const response = await send(server, await signed(scenario));
    assert.equal(response.status, 500);
  });

  it('req.workload cannot be replaced by a later middleware', async () => {
    const { server } = await serve((app, options) => {
      app.use(wimse(options));
      app.get('/orders', (req, res) => {
        const descriptor = Object.getOwnPropertyDescriptor(req, 'workload');
        res.json({ writable: descriptor?.writable, configurable: descriptor?.configurable });
      });
    });
    const response = await send(server, await signed(scenario));
    assert.deepEqual(response.body, { writable: false, configurable: false });
  });

  it('passErrors: the WimseError takes the error path, wimseErrorHandler renders the problem', async () => {
    const { server } = await serve(
      (app, options) => {
        app.use(wimse(options));
        app.get('/orders', answer);
        app.use(wimseErrorHandler());
      },
      { passErrors: true },
    );
    const missing = await send(server, { method: 'GET', path: '/orders', headers: {} });
    expectProblem(missing, 401, 'credentials_missing');
    assert.equal(missing.headers['www-authenticate'], 'WPT', 'the error handler sends the refusal fields too');
  });

  it("passErrors without wimseErrorHandler: Express's default handler keeps the status", async () => {
    const { server } = await serve(
      (app, options) => {
        app.use(wimse(options));
        app.get('/orders', answer);
        app.use((error: unknown, _req: Request, res: Response, _next: unknown) => {
          res.status((error as { status: number }).status).json({ seen: (error as Error).name });
        });
      },
      { passErrors: true },
    );
    const response = await send(server, { method: 'GET', path: '/orders', headers: {} });
    assert.equal(response.status, 401);
    assert.deepEqual(response.body, { seen: 'WimseError' });
  });

  it('exposeErrorDetail puts the reason in the problem', async () => {
    const { server } = await serve(
      (app, options) => {
        app.use(wimse(options));
        app.get('/orders', answer);
      },
      { exposeErrorDetail: true },
    );
    const response = await send(server, { method: 'GET', path: '/orders', headers: {} });
    assert.equal(response.status, 401);
    assert.equal(response.body.detail, 'the request carries no credentials');
  });

  it('options are validated once, at construction', () => {
    const verifier = scenario.options;
    assert.throws(() => wimse({ verifier, bodyLimit: 0 }), TypeError);
    assert.throws(() => wimse({ verifier, bodyLimit: 1.5 }), TypeError);
    assert.throws(() => wimse({ verifier, passErrors: 'yes' as never }), TypeError);
    assert.throws(() => wimse({ verifier, mode: 'sometimes' as never }), TypeError);
    assert.throws(() => wimse({ verifier }).withMode('maybe' as never), TypeError);
    assert.throws(() => requireWorkload('admin' as never), TypeError);
    assert.throws(() => wimse({ verifier: { ...verifier, trustDomains: [] } }));
  });
});

async function signRaw(body: Uint8Array, headers: Record<string, string>): Promise<Outgoing> {
  const { signRequest } = await import('@wimse-pep/client');
  const { AUDIENCE, now } = await import('../../../test/support/index.js');
  const result = await signRequest(
    { method: 'POST', url: `${AUDIENCE}/orders`, headers, body },
    { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
    { now },
  );
  return { method: 'POST', path: '/orders', headers: result.headers, body: result.body };
}

/** node:http directly: chunked transfer in delayed pieces, an explicit Content-Length, keep-alive. */
function rawRequest(
  server: Server,
  message: Outgoing,
  options: { chunks?: number; delayMs?: number; contentLength?: boolean; agent?: Agent; headersFirstMs?: number } = {},
): Promise<{ status: number; text: string }> {
  const { port } = server.address() as AddressInfo;
  const body = Buffer.from(message.body ?? new Uint8Array());
  const headers: Record<string, string | string[] | number> = { ...message.headers };
  if (options.contentLength) headers['content-length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: message.method, path: message.path, headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    const pieces = options.chunks ?? 1;
    const size = Math.ceil(body.length / pieces);
    let index = 0;
    const writeNext = () => {
      if (index >= body.length) {
        req.end();
        return;
      }
      req.write(body.subarray(index, index + size));
      index += size;
      setTimeout(writeNext, options.delayMs ?? 0);
    };
    const start = () => (body.length === 0 ? req.end() : writeNext());
    if (options.headersFirstMs === undefined) start();
    else {
      req.flushHeaders();
      setTimeout(start, options.headersFirstMs);
    }
  });
}
