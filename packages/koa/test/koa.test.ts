import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { signRequest } from '@wimse-pep/client';
import { type AuditEvent, allowWorkloads } from '@wimse-pep/core';
import { captureRawBody, requireWorkload, type WimseOptions, wimse } from '@wimse-pep/koa';
import Koa, { type Context, type Middleware } from 'koa';
import { AUDIENCE, CALLER_ID, createScenario, now, type Scenario } from '../../../test/support/index.js';

let scenario: Scenario;
before(async () => {
  scenario = await createScenario();
});

const OTHER_ID = 'wimse://td.example/service/other';
const JSON_BODY = '{"item":1}';

interface Sent {
  readonly method?: 'GET' | 'POST';
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

/** Signs like a calling workload; `sign: false` sends the request unsigned. */
async function signed(init: Sent = {}): Promise<Required<Sent>> {
  const method = init.method ?? 'POST';
  const path = init.path ?? '/orders';
  const result = await signRequest(
    { method, url: `${AUDIENCE}${path}`, headers: init.headers ?? {}, body: init.body },
    { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
    { now },
  );
  return { method, path, headers: result.headers, body: result.body ?? new Uint8Array(0) };
}

interface Received {
  readonly status: number;
  readonly type: string;
  readonly text: string;
  json(): Record<string, unknown>;
}

/**
 * Sends the exact bytes to a real server of `app` (node:http, not a client that re-serializes),
 * with a Content-Length, or chunked when asked.
 */
async function send(app: Koa, message: Sent, options: { chunked?: boolean } = {}): Promise<Received> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const body = typeof message.body === 'string' ? Buffer.from(message.body) : message.body;
  const headers: Record<string, string | number> = { ...message.headers };
  if (body !== undefined) {
    if (options.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = body.byteLength;
  }
  try {
    return await new Promise<Received>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, method: message.method ?? 'GET', path: message.path ?? '/orders', headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: response.statusCode ?? 0,
              type: String(response.headers['content-type']),
              text,
              json: () => JSON.parse(text) as Record<string, unknown>,
            });
          });
        },
      );
      outgoing.on('error', reject);
      if (body !== undefined && options.chunked) {
        // Two chunks, so that the body really arrives chunked.
        outgoing.write(body.subarray(0, 1));
        outgoing.end(body.subarray(1));
      } else outgoing.end(body);
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Every handler answers what it got: the identity and the app parser's result. */
function answer(ctx: Context): void {
  ctx.body = { workload: ctx.state.workload?.id ?? null, body: ctx.request.body ?? null };
}

function expectProblem(response: Received, status: number, code: string): Record<string, unknown> {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status} ${response.text}`);
  assert.match(response.type, /^application\/problem\+json\b/);
  const problem = response.json();
  assert.equal(problem.status, status);
  assert.equal(problem.code, code);
  assert.equal(problem.type, `https://www.npmjs.com/package/@wimse-pep/core#${code.replaceAll('_', '-')}`);
  assert.equal(typeof problem.title, 'string');
  return problem;
}

function expectOk(response: Received, workload: string | null, body: unknown = null): void {
  assert.equal(response.status, 200, `expected 200, got ${response.status} ${response.text}`);
  assert.deepEqual(response.json(), { workload, body });
}

/** An app with `middleware` in order, then `answer` for every route. */
function appWith(...middleware: Middleware[]): Koa {
  const app = new Koa();
  for (const each of middleware) app.use(each);
  app.use(answer);
  return app;
}

const pep = (options: Partial<WimseOptions> = {}) => wimse({ verifier: scenario.options, ...options });
const json = () => bodyParser({ enableTypes: ['json'] });
const jsonHeaders = { 'content-type': 'application/json' };

describe('@wimse-pep/koa: wimse() before the body parser', () => {
  it('verifies the body, and @koa/bodyparser still parses the same bytes', async () => {
    const message = await signed({ headers: jsonHeaders, body: JSON_BODY });
    expectOk(await send(appWith(pep(), json()), message), CALLER_ID, { item: 1 });
  });

  it('a chunked body is read, verified and given back to the parser', async () => {
    const message = await signed({ headers: jsonHeaders, body: JSON_BODY });
    expectOk(await send(appWith(pep(), json()), message, { chunked: true }), CALLER_ID, { item: 1 });
  });

  it('a gzip body is digested as sent, then inflated and parsed by the app', async () => {
    const message = await signed({
      headers: { ...jsonHeaders, 'content-encoding': 'gzip' },
      body: gzipSync(JSON_BODY),
    });
    expectOk(await send(appWith(pep(), json()), message), CALLER_ID, { item: 1 });
  });

  it('a tampered body under the original digest is 400 digest_mismatch; the handler never runs', async () => {
    let reached = false;
    const message = await signed({ headers: jsonHeaders, body: JSON_BODY });
    const app = appWith(pep(), json(), async (_ctx, next) => {
      reached = true;
      await next();
    });
    const problem = expectProblem(await send(app, { ...message, body: '{"item":9}' }), 400, 'digest_mismatch');
    assert.equal(problem.detail, undefined, 'the reason is not exposed by default');
    assert.equal(reached, false);
  });

  it('exposeErrorDetail puts the reason in the problem', async () => {
    const message = await signed({ headers: jsonHeaders, body: JSON_BODY });
    const app = appWith(pep({ exposeErrorDetail: true }), json());
    const problem = expectProblem(await send(app, { ...message, body: '{"item":9}' }), 400, 'digest_mismatch');
    assert.equal(typeof problem.detail, 'string');
  });

  it('no parser at all: the handler reads the very bytes from the stream', async () => {
    const message = await signed({ headers: { 'content-type': 'application/octet-stream' }, body: 'raw \u00e9' });
    const app = new Koa();
    app.use(pep());
    app.use(async (ctx) => {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      ctx.body = { workload: ctx.state.workload?.id ?? null, body: Buffer.concat(chunks).toString('utf8') };
    });
    expectOk(await send(app, message), CALLER_ID, 'raw \u00e9');
  });

  it('a body over bodyLimit is 413 body_too_large, audited as a denial', async () => {
    const events: AuditEvent[] = [];
    const body = JSON.stringify({ pad: 'x'.repeat(300) });
    const message = await signed({ headers: jsonHeaders, body });
    const app = appWith(pep({ bodyLimit: 100, audit: (event) => events.push(event) }), json());
    expectProblem(await send(app, message, { chunked: true }), 413, 'body_too_large');
    assert.deepEqual(
      events.map((event) => [event.decision, event.code]),
      [['deny', 'body_too_large']],
    );
  });
});

describe('@wimse-pep/koa: a body parser that ran first', () => {
  it("uses @koa/bodyparser's rawBody when it is provably the received bytes", async () => {
    const message = await signed({ headers: jsonHeaders, body: '{"name":"caf\u00e9 \u{1F600}"}' });
    expectOk(await send(appWith(json(), pep()), message), CALLER_ID, { name: 'caf\u00e9 \u{1F600}' });
  });

  it('form and text bodies too; a tampered one is still 400 digest_mismatch', async () => {
    const form = await signed({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=%C3%A9',
    });
    expectOk(await send(appWith(bodyParser(), pep()), form), CALLER_ID, { a: '1', b: '\u00e9' });
    const text = await signed({ headers: { 'content-type': 'text/plain' }, body: 'hello' });
    const textParser = bodyParser({ enableTypes: ['text'] });
    expectProblem(await send(appWith(textParser, pep()), { ...text, body: 'hellO' }), 400, 'digest_mismatch');
  });

  it('look-alike bytes decoding to the signed text are refused, never accepted (invalid UTF-8)', async () => {
    // Signed: U+FFFD (EF BF BD). Sent: a truncated 4-byte sequence (F0 9F 98), same length, that
    // the parser decodes to the same U+FFFD.
    const message = await signed({ headers: jsonHeaders, body: '{"a":"\uFFFD"}' });
    const lookAlike = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from('"}')]);
    const problem = expectProblem(
      await send(appWith(json(), pep()), { ...message, body: lookAlike }),
      500,
      'body_unavailable',
    );
    assert.match(String(problem.detail), /register wimse\(\) \(or captureRawBody\(\)\) before your body parser/);
  });

  it('a BOM the parser stripped is refused (the length shows it)', async () => {
    const message = await signed({ headers: jsonHeaders, body: `\uFEFF${JSON_BODY}` });
    expectProblem(await send(appWith(json(), pep()), message), 500, 'body_unavailable');
  });

  it('a body the parser inflated is refused (the digest covers the bytes as sent)', async () => {
    const message = await signed({
      headers: { ...jsonHeaders, 'content-encoding': 'gzip' },
      body: gzipSync(JSON_BODY),
    });
    expectProblem(await send(appWith(json(), pep()), message), 500, 'body_unavailable');
  });

  it('a chunked body is refused (its length cannot be checked)', async () => {
    const message = await signed({ headers: jsonHeaders, body: JSON_BODY });
    expectProblem(await send(appWith(json(), pep()), message, { chunked: true }), 500, 'body_unavailable');
  });

  it('a parser without rawBody is a clear 500 body_unavailable', async () => {
    const drain: Middleware = async (ctx, next) => {
      for await (const _chunk of ctx.req);
      await next();
    };
    const message = await signed({ headers: jsonHeaders, body: JSON_BODY });
    const problem = expectProblem(await send(appWith(drain, pep()), message), 500, 'body_unavailable');
    assert.match(String(problem.detail), /before your body parser/);
  });

  it('the rawBody path respects bodyLimit', async () => {
    const message = await signed({ headers: jsonHeaders, body: JSON.stringify({ pad: 'x'.repeat(300) }) });
    expectProblem(await send(appWith(json(), pep({ bodyLimit: 100 })), message), 413, 'body_too_large');
  });

  it('captureRawBody() before any parser keeps the bytes for wimse(), and enforces its limit', async () => {
    const message = await signed({ headers: jsonHeaders, body: JSON_BODY });
    expectOk(await send(appWith(captureRawBody(), json(), pep()), message, { chunked: true }), CALLER_ID, { item: 1 });
    expectProblem(await send(appWith(captureRawBody({ limit: 4 }), json(), pep()), message), 413, 'body_too_large');
  });
});

describe('@wimse-pep/koa: routes, modes and policies on @koa/router', () => {
  /** /public (off) and /maybe (optional) on a router mounted before the PEP, the rest required. */
  function routedApp(): Koa {
    const guard = pep();
    const app = new Koa();
    const open = new Router();
    open.get('/public', answer);
    open.get('/maybe', guard.withMode('optional'), answer);
    app.use(open.routes());
    app.use(guard);
    const router = new Router();
    router.get('/orders', answer);
    router.get('/admin', requireWorkload(allowWorkloads(OTHER_ID)), answer);
    router.get('/mine', requireWorkload(allowWorkloads(CALLER_ID)), answer);
    app.use(router.routes());
    return app;
  }

  it('GET with a valid signature: 200 with ctx.state.workload', async () => {
    expectOk(await send(routedApp(), await signed({ method: 'GET', path: '/orders?id=7' })), CALLER_ID);
  });

  it('no credentials on a required route: 401 credentials_missing (WPTs accepted) as problem+json', async () => {
    expectProblem(await send(routedApp(), { path: '/orders' }), 401, 'credentials_missing');
  });

  it('a policy that allows: 200; a policy that denies: 403 policy_denied', async () => {
    expectOk(await send(routedApp(), await signed({ method: 'GET', path: '/mine' })), CALLER_ID);
    expectProblem(await send(routedApp(), await signed({ method: 'GET', path: '/admin' })), 403, 'policy_denied');
  });

  it('mode off: /public needs nothing and ignores even broken credentials', async () => {
    expectOk(await send(routedApp(), { path: '/public' }), null);
    expectOk(await send(routedApp(), { path: '/public', headers: { 'workload-identity-token': 'garbage' } }), null);
  });

  it('mode optional: /maybe without credentials is anonymous, with valid ones identified, with broken ones refused', async () => {
    expectOk(await send(routedApp(), { path: '/maybe' }), null);
    expectOk(await send(routedApp(), await signed({ method: 'GET', path: '/maybe' })), CALLER_ID);
    const broken = await signed({ method: 'GET', path: '/maybe' });
    const response = await send(routedApp(), {
      ...broken,
      headers: { ...broken.headers, 'workload-identity-token': 'garbage' },
    });
    assert.ok(response.status === 400 || response.status === 401, response.text);
    assert.match(response.type, /^application\/problem\+json\b/);
  });

  it('requireWorkload without wimse() before it fails closed through Koa (500)', async () => {
    const app = new Koa();
    app.silent = true;
    const router = new Router();
    router.get('/orders', requireWorkload(), answer);
    app.use(router.routes());
    const response = await send(app, await signed({ method: 'GET' }));
    assert.equal(response.status, 500);
    assert.doesNotMatch(response.text, /workload/);
  });
});

describe("@wimse-pep/koa: the app's own error handling", () => {
  it("handler errors still reach the app's error middleware; refusals stay problem+json", async () => {
    const seen: unknown[] = [];
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        seen.push(error);
        ctx.status = 418;
        ctx.body = 'handled by the app';
      }
    });
    app.use(pep());
    app.use(() => {
      throw new Error('boom');
    });
    const ok = await send(app, await signed({ method: 'GET' }));
    assert.equal(ok.status, 418);
    assert.equal((seen[0] as Error).message, 'boom');
    expectProblem(await send(app, { path: '/orders' }), 401, 'credentials_missing');
    assert.equal(seen.length, 1);
  });

  it('ctx.state.workload cannot be swapped by a later middleware', async () => {
    const app = new Koa();
    app.silent = true;
    app.use(pep());
    app.use((ctx) => {
      (ctx.state as Record<string, unknown>).workload = { id: OTHER_ID };
    });
    assert.equal((await send(app, await signed({ method: 'GET' }))).status, 500);
  });

  it('refuses nonsensical options at construction', () => {
    assert.throws(() => pep({ bodyLimit: -1 }), TypeError);
    assert.throws(() => pep({ mode: 'sometimes' as never }), TypeError);
    assert.throws(() => pep().withMode('sometimes' as never), TypeError);
    assert.throws(() => requireWorkload('admin' as never), TypeError);
  });
});
