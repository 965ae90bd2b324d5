import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { allowWorkloads, fromDecisionPoint } from '@wimse-pep/core';
import { requireWorkload, type WimseEnv, wimse } from '@wimse-pep/hono';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import {
  ADMIN_ID,
  type AdapterHarness,
  type AppConfig,
  MIGRATION_ROUTES,
  migrationAnswer,
  PDP_TIMEOUT_MS,
} from './harness.js';

/**
 * Hono over @hono/node-server. Hono runs the handlers matching a request in registration order
 * and stops at the first that answers, so the route-mode exceptions (/public off, /maybe optional)
 * are registered before `app.use(pep)`, as with Express. Hono has no body parser middleware: the
 * handler parses with `c.req.json()`, `c.req.parseBody()` or `c.req.text()` (parser `after`); parser
 * `before` is Hono's own `validator('json' | 'form')` (or a `c.req.arrayBuffer()` read for raw
 * bodies) registered before the PEP, whose body cache the PEP reads byte-exact.
 */
export const honoHarness: AdapterHarness = {
  name: 'hono',
  async createServer(config: AppConfig): Promise<Server> {
    const app = new Hono<WimseEnv>();
    const pep = wimse({
      verifier: config.verifier,
      audit: config.audit,
      ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
      ...(config.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: config.bodyTimeoutMs }),
      ...(config.responseSigning === undefined ? {} : { responseSigning: config.responseSigning }),
      ...(config.migration === undefined ? {} : { migration: config.migration }),
      ...(config.metrics === undefined ? {} : { metrics: config.metrics }),
    });
    const parser = config.parserPosition === 'before' ? parserBefore(config.bodyParser) : undefined;
    if (parser) app.post('*', parser);
    if (config.migration) {
      for (const route of MIGRATION_ROUTES) {
        const settings = { mode: route.protection, migration: route.migration, policy: route.policy };
        app.get(
          route.path,
          pep.withMode(settings),
          route.report ? pep.migrationReport() : (c) => c.json(migrationAnswer(c.get('workload'))),
        );
      }
    }
    const answer = answerWith(config.bodyParser);
    app.get('/public', answer);
    app.get('/maybe', pep.withMode('optional'), answer);
    app.use(pep);

    app.get('/orders', answer);
    app.post('/orders', answer);
    app.get('/admin', requireWorkload(allowWorkloads(ADMIN_ID)), answer);
    const neverAnswers = () => new Promise<boolean>(() => {});
    app.get('/pdp', requireWorkload(fromDecisionPoint(neverAnswers, { timeoutMs: PDP_TIMEOUT_MS })), answer);
    return createAdaptorServer({ fetch: app.fetch }) as Server;
  },
};

export default honoHarness;

function answerWith(kind: AppConfig['bodyParser']) {
  return async (c: Context<WimseEnv>) =>
    c.json({ workload: c.get('workload')?.id ?? null, body: c.req.method === 'POST' ? await parsed(c, kind) : null });
}

async function parsed(c: Context<WimseEnv>, kind: AppConfig['bodyParser']): Promise<unknown> {
  if (kind === 'json') return c.req.json();
  if (kind === 'urlencoded') return { ...(await c.req.parseBody()) };
  if (kind === 'raw') return c.req.text();
  return null;
}

function parserBefore(kind: AppConfig['bodyParser']): MiddlewareHandler | undefined {
  if (kind === 'json') return validator('json', (value) => value);
  if (kind === 'urlencoded') return validator('form', (value) => value);
  if (kind === 'raw')
    return async (c, next) => {
      await c.req.arrayBuffer();
      await next();
    };
  return undefined;
}
