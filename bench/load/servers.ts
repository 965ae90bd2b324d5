/**
 * One benchmark server per process: `node ... bench/load/servers.ts <peer>`. It listens on
 * 127.0.0.1 (ephemeral port), tells the parent its port over IPC, and answers `stats` messages
 * with its own CPU time (process.cpuUsage) and memory, so that CPU per request is measured where
 * the work happens, not in the load generator.
 *
 * Every peer serves the same two routes with the same handlers:
 *   GET  /orders/7   -> {"id":"7","caller":...}
 *   POST /orders     -> {"items":<count>,"caller":...}   (1 KiB JSON body, parsed by the framework)
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyJwt from '@fastify/jwt';
import { createAdaptorServer } from '@hono/node-server';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { type AuditTrail, generateNoteKey, openAuditTrail } from '@wimse-pep/audit';
import type { VerifierOptions } from '@wimse-pep/core';
import { wimse as expressWimse } from '@wimse-pep/express';
import { wimse as fastifyWimse } from '@wimse-pep/fastify';
import { wimse as honoWimse, type WimseEnv } from '@wimse-pep/hono';
import { wimse as koaWimse } from '@wimse-pep/koa';
import express, { type RequestHandler } from 'express';
import { expressjwt } from 'express-jwt';
import Fastify from 'fastify';
import { Hono, type MiddlewareHandler } from 'hono';
import { jwk } from 'hono/jwk';
import { jwtVerify } from 'jose';
import Koa, { type Middleware } from 'koa';
import type { LoadCredentials } from './credentials.js';

export const PEERS = [
  'express-bare',
  'express-jose',
  'express-jwt',
  'express-wimse',
  'express-wimse-inline',
  'express-wimse-audit',
  'express-wimse-audit-noop',
  'fastify-bare',
  'fastify-jwt',
  'fastify-wimse',
  'fastify-wimse-inline',
  'koa-bare',
  'koa-jose',
  'koa-wimse',
  'koa-wimse-inline',
  'nest-express-passport',
  'nest-express-wimse',
  'nest-fastify-passport',
  'nest-fastify-wimse',
  'hono-jwt',
  'hono-wimse',
  'hono-wimse-inline',
] as const;
export type Peer = (typeof PEERS)[number];

const credentials = JSON.parse(process.env.BENCH_CREDENTIALS ?? 'null') as LoadCredentials;
const issuerKey: KeyObject = createPublicKey({ key: credentials.issuerJwk, format: 'jwk' });
const issuerPem = issuerKey.export({ format: 'pem', type: 'spki' }).toString();
const verifierOptions: VerifierOptions = {
  trustDomains: [
    {
      trustDomain: credentials.trustDomain,
      issuers: [{ jwks: { keys: [credentials.issuerJwk] }, algorithms: ['ES256'] }],
    },
  ],
  audiences: [credentials.audience],
  // The WIT encoding checks, replay store and caches all at their defaults.
};
const bearerChecks = { algorithms: ['ES256'], issuer: credentials.bearerIssuer, audience: credentials.audience };

/**
 * The item count of a parsed order, or undefined without one: a request that wrk cut off when the
 * counted window ended reaches the handler without a parsed body (answered 400, never a crash).
 */
function itemsOf(body: unknown): number | undefined {
  const items = (body as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? items.length : undefined;
}

function callerOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'id' in value ? String(value.id) : undefined;
}

function expressApp(auth: RequestHandler | undefined, callerFrom: (req: express.Request) => unknown) {
  const app = express();
  app.disable('x-powered-by');
  if (auth) app.use(auth);
  app.use(express.json());
  app.get('/orders/:id', (req, res) => {
    res.json({ id: req.params.id, caller: callerFrom(req) });
  });
  app.post('/orders', (req, res) => {
    const items = itemsOf(req.body);
    if (items === undefined) res.status(400).end();
    else res.json({ items, caller: callerFrom(req) });
  });
  return app.listen(0, '127.0.0.1');
}

/** A minimal jose bearer middleware, as teams write it today. */
const joseExpress: RequestHandler = (req, res, next) => {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) {
    res.status(401).end();
    return;
  }
  jwtVerify(header.slice(7), issuerKey, bearerChecks).then(
    ({ payload }) => {
      (req as unknown as { auth: unknown }).auth = payload;
      next();
    },
    () => res.status(401).end(),
  );
};

async function fastifyApp(peer: Peer) {
  const app = Fastify({ logger: false });
  if (peer === 'fastify-jwt') {
    await app.register(fastifyJwt, {
      secret: { public: issuerPem },
      verify: { algorithms: ['ES256'], allowedIss: credentials.bearerIssuer, allowedAud: credentials.audience },
    });
    app.addHook('onRequest', async (request) => {
      await request.jwtVerify();
    });
  }
  if (peer.startsWith('fastify-wimse')) await app.register(fastifyWimse, verifierOptionsFor(peer));
  const caller = (request: { workload?: unknown; user?: unknown }) =>
    callerOf(request.workload) ?? (request.user as { sub?: string } | undefined)?.sub;
  app.get('/orders/:id', async (request) => ({ id: (request.params as { id: string }).id, caller: caller(request) }));
  app.post('/orders', async (request, reply) => {
    const items = itemsOf(request.body);
    return items === undefined ? reply.code(400).send() : { items, caller: caller(request) };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server;
}

/** A `-inline` peer checks the request signature on the event loop instead of the thread pool. */
function verifierOptionsFor(peer: Peer) {
  return peer.endsWith('-inline')
    ? { verifier: { ...verifierOptions, signatureVerification: 'inline' as const } }
    : { verifier: verifierOptions };
}

function koaApp(peer: Peer) {
  const app = new Koa();
  if (peer === 'koa-jose') {
    const auth: Middleware = async (ctx, next) => {
      const header = ctx.get('authorization');
      if (!header.startsWith('Bearer ')) ctx.throw(401);
      try {
        ctx.state.user = (await jwtVerify(header.slice(7), issuerKey, bearerChecks)).payload;
      } catch {
        ctx.throw(401);
      }
      await next();
    };
    app.use(auth);
  }
  if (peer.startsWith('koa-wimse')) app.use(koaWimse(verifierOptionsFor(peer)));
  app.use(bodyParser());
  const caller = (state: Record<string, unknown>) => callerOf(state.workload) ?? (state.user as { sub?: string })?.sub;
  const router = new Router();
  router.get('/orders/:id', (ctx) => {
    ctx.body = { id: ctx.params.id, caller: caller(ctx.state) };
  });
  router.post('/orders', (ctx) => {
    const items = itemsOf(ctx.request.body);
    if (items === undefined) ctx.status = 400;
    else ctx.body = { items, caller: caller(ctx.state) };
  });
  app.use(router.routes());
  return app.listen(0, '127.0.0.1');
}

/**
 * Hono on @hono/node-server: `hono-jwt` is Hono's own JWK middleware (`hono/jwk`) with the issuer's
 * key set (issuer and audience checked, as the other bearer peers do); `hono-wimse` is @wimse-pep/hono.
 */
type HonoJwks = Extract<Parameters<typeof jwk>[0]['keys'], unknown[]>;

function honoApp(peer: Peer) {
  const app = new Hono<WimseEnv & { Variables: { jwtPayload?: { sub?: string } } }>();
  if (peer === 'hono-jwt') {
    app.use(
      jwk({
        keys: [credentials.issuerJwk] as unknown as HonoJwks,
        alg: ['ES256'],
        verification: { iss: credentials.bearerIssuer, aud: credentials.audience },
      }) as MiddlewareHandler,
    );
  } else {
    app.use(honoWimse(verifierOptionsFor(peer)));
  }
  const caller = (c: { get(key: 'workload' | 'jwtPayload'): unknown }) =>
    callerOf(c.get('workload')) ?? (c.get('jwtPayload') as { sub?: string } | undefined)?.sub;
  app.get('/orders/:id', (c) => c.json({ id: c.req.param('id'), caller: caller(c) }));
  app.post('/orders', async (c) => {
    const items = itemsOf(await c.req.json().catch(() => undefined));
    return items === undefined ? c.json({}, 400) : c.json({ items, caller: caller(c) });
  });
  return createAdaptorServer({ fetch: app.fetch }).listen(0, '127.0.0.1');
}

async function start(peer: Peer) {
  switch (peer) {
    case 'hono-jwt':
    case 'hono-wimse':
    case 'hono-wimse-inline':
      return honoApp(peer);
    case 'express-bare':
      return expressApp(undefined, () => undefined);
    case 'express-jose':
      return expressApp(joseExpress, (req) => (req as unknown as { auth: { sub: string } }).auth.sub);
    case 'express-jwt':
      return expressApp(
        expressjwt({
          secret: issuerPem,
          algorithms: ['ES256'],
          issuer: credentials.bearerIssuer,
          audience: credentials.audience,
        }),
        (req) => (req as unknown as { auth: { sub: string } }).auth.sub,
      );
    case 'express-wimse':
    case 'express-wimse-inline':
      return expressApp(expressWimse(verifierOptionsFor(peer)), (req) => req.workload?.id);
    case 'express-wimse-audit':
      return expressApp(
        expressWimse({ ...verifierOptionsFor(peer), audit: await auditTrail() }),
        (req) => req.workload?.id,
      );
    case 'express-wimse-audit-noop':
      // The guard's own cost of auditing (it builds an event per decision only when a sink is set).
      return expressApp(expressWimse({ ...verifierOptionsFor(peer), audit: () => {} }), (req) => req.workload?.id);
    case 'nest-express-passport':
    case 'nest-express-wimse':
    case 'nest-fastify-passport':
    case 'nest-fastify-wimse': {
      // Loaded only for these peers: the other servers never load Nest.
      const { startNest } = await import('./nest-servers.js');
      return startNest(peer, verifierOptions, {
        issuerPem,
        issuer: credentials.bearerIssuer,
        audience: credentials.audience,
      });
    }
    case 'fastify-bare':
    case 'fastify-jwt':
    case 'fastify-wimse':
    case 'fastify-wimse-inline':
      return fastifyApp(peer);
    default:
      return koaApp(peer);
  }
}

/**
 * `express-wimse-audit`: express-wimse with the tamper-evident audit trail as its audit sink, in a
 * temporary directory: one chained record per decision, a signed checkpoint (fsync first) every
 * second, the default queue and overflow policy.
 */
let trail: AuditTrail | undefined;
let trailDir: string | undefined;
async function auditTrail(): Promise<AuditTrail> {
  trailDir = mkdtempSync(join(tmpdir(), 'wimse-bench-audit-'));
  const origin = 'bench.example/audit/express';
  trail = await openAuditTrail({
    file: join(trailDir, 'audit.jsonl'),
    origin,
    signingKey: generateNoteKey(origin).signerKey,
    checkpoint: { records: 1_000_000, intervalMs: 1000 },
  });
  return trail;
}

const peer = process.argv[2] as Peer;
if (!PEERS.includes(peer)) throw new Error(`unknown peer ${peer}`);
const server = await start(peer);
const report = () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'listening', port });
};
if (server.listening) report();
else server.once('listening', report);
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    process.send?.({ type: 'stats', cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed });
  } else if (message.type === 'stop') {
    server.close();
    const closing = trail ? trail.close() : Promise.resolve();
    void closing.finally(() => {
      if (trailDir) rmSync(trailDir, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
