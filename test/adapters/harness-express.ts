import { createServer, type Server } from 'node:http';
import { allowWorkloads, fromDecisionPoint } from '@wimse-pep/core';
import { captureRawBody, requireWorkload, wimse } from '@wimse-pep/express';
import express, { type Request, type RequestHandler, type Response } from 'express';
import {
  ADMIN_ID,
  type AdapterHarness,
  type AppConfig,
  MIGRATION_ROUTES,
  migrationAnswer,
  PDP_TIMEOUT_MS,
} from './harness.js';

/**
 * Express runs middleware in registration order, so the harness registers the route-mode
 * exceptions (/public off, /maybe optional) before `app.use(pep)`, which makes every later route
 * `required` (with the parser `after`, those two GET routes also sit before the parser). Parser
 * position `before` is the documented setup for a parser that must run first: the app gives it
 * `{ verify: captureRawBody }` (the case without it is an Express-only test in
 * packages/express/test, since the other frameworks have no such configuration).
 */
export const expressHarness: AdapterHarness = {
  name: 'express',
  async createServer(config: AppConfig): Promise<Server> {
    const app = express();
    const pep = wimse({
      verifier: config.verifier,
      audit: config.audit,
      ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
      ...(config.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: config.bodyTimeoutMs }),
      ...(config.responseSigning === undefined ? {} : { responseSigning: config.responseSigning }),
      ...(config.migration === undefined ? {} : { migration: config.migration }),
      ...(config.metrics === undefined ? {} : { metrics: config.metrics }),
    });
    if (config.parserPosition === 'before') useParser(app, config.bodyParser, true);
    if (config.migration) {
      for (const route of MIGRATION_ROUTES) {
        const handlers: RequestHandler[] = [pep.withMode(route.protection, route.migration)];
        if (route.policy) handlers.push(requireWorkload(route.policy));
        handlers.push(route.report ? pep.migrationReport() : (req, res) => res.json(migrationAnswer(req.workload)));
        app.get(route.path, ...handlers);
      }
    }

    app.get('/public', pep.withMode('off'), answer);
    app.get('/maybe', pep.withMode('optional'), answer);
    app.use(pep);
    if (config.parserPosition === 'after') useParser(app, config.bodyParser, false);

    app.get('/orders', answer);
    app.post('/orders', answer);
    app.get('/admin', requireWorkload(allowWorkloads(ADMIN_ID)), answer);
    const neverAnswers = () => new Promise<boolean>(() => {});
    app.get('/pdp', requireWorkload(fromDecisionPoint(neverAnswers, { timeoutMs: PDP_TIMEOUT_MS })), answer);
    return createServer(app);
  },
};

export default expressHarness;

function answer(req: Request, res: Response): void {
  const body: unknown = req.body;
  res.json({
    workload: req.workload?.id ?? null,
    body: Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? null),
  });
}

function useParser(app: express.Express, parser: AppConfig['bodyParser'], capture: boolean): void {
  const options = capture ? { verify: captureRawBody } : {};
  const parsers: Record<AppConfig['bodyParser'], RequestHandler | undefined> = {
    json: express.json(options),
    urlencoded: express.urlencoded(options),
    raw: express.raw(options),
    none: undefined,
  };
  const middleware = parsers[parser];
  if (middleware) app.use(middleware);
}
