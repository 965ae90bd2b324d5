import { createServer, type Server } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { allowWorkloads, fromDecisionPoint } from '@wimse-pep/core';
import { requireWorkload, wimse } from '@wimse-pep/koa';
import Koa, { type Context, type Middleware } from 'koa';
import {
  ADMIN_ID,
  type AdapterHarness,
  type AppConfig,
  MIGRATION_ROUTES,
  migrationAnswer,
  PDP_TIMEOUT_MS,
} from './harness.js';

/**
 * Koa runs middleware before the router knows the route, so the route-mode exceptions (/public
 * off, /maybe optional) live on a router mounted before `app.use(pep)`; every route of the main
 * router is then `required`. Every parser is @koa/bodyparser (raw: its text parser extended to
 * application/octet-stream). Parser `before`: the parser consumed the stream and wimse() checks
 * the digest against its `ctx.request.rawBody`, used only when provably byte-exact.
 */
export const koaHarness: AdapterHarness = {
  name: 'koa',
  async createServer(config: AppConfig): Promise<Server> {
    const app = new Koa();
    const pep = wimse({
      verifier: config.verifier,
      audit: config.audit,
      ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
      ...(config.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: config.bodyTimeoutMs }),
      ...(config.responseSigning === undefined ? {} : { responseSigning: config.responseSigning }),
      ...(config.migration === undefined ? {} : { migration: config.migration }),
      ...(config.metrics === undefined ? {} : { metrics: config.metrics }),
    });
    const parser = parserFor(config.bodyParser);
    if (config.parserPosition === 'before' && parser) app.use(parser);

    const publicRouter = new Router();
    publicRouter.get('/public', answer);
    publicRouter.get('/maybe', pep.withMode('optional'), answer);
    if (config.migration) {
      for (const route of MIGRATION_ROUTES) {
        const middleware: Middleware[] = [pep.withMode(route.protection, route.migration)];
        if (route.policy) middleware.push(requireWorkload(route.policy));
        middleware.push(
          route.report
            ? pep.migrationReport()
            : (ctx) => {
                ctx.body = migrationAnswer(ctx.state.workload);
              },
        );
        publicRouter.get(route.path, ...middleware);
      }
    }
    app.use(publicRouter.routes());
    app.use(pep);
    if (config.parserPosition === 'after' && parser) app.use(parser);

    const router = new Router();
    router.get('/orders', answer);
    router.post('/orders', answer);
    router.get('/admin', requireWorkload(allowWorkloads(ADMIN_ID)), answer);
    const neverAnswers = () => new Promise<boolean>(() => {});
    router.get('/pdp', requireWorkload(fromDecisionPoint(neverAnswers, { timeoutMs: PDP_TIMEOUT_MS })), answer);
    app.use(router.routes());
    return createServer(app.callback());
  },
};

export default koaHarness;

function answer(ctx: Context): void {
  ctx.body = { workload: ctx.state.workload?.id ?? null, body: ctx.request.body ?? null };
}

/** The app's own parser: @koa/bodyparser, whose text parser reads a raw body as a UTF-8 string. */
function parserFor(kind: AppConfig['bodyParser']): Middleware | undefined {
  if (kind === 'json') return bodyParser({ enableTypes: ['json'] });
  if (kind === 'urlencoded') return bodyParser({ enableTypes: ['form'] });
  if (kind === 'raw') return bodyParser({ enableTypes: ['text'], extendTypes: { text: ['application/octet-stream'] } });
  return undefined;
}
