import type { Server } from 'node:http';
import { allowWorkloads, fromDecisionPoint } from '@wimse-pep/core';
import { migrationReportHandler, wimse } from '@wimse-pep/fastify';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  ADMIN_ID,
  type AdapterHarness,
  type AppConfig,
  MIGRATION_ROUTES,
  migrationAnswer,
  PDP_TIMEOUT_MS,
} from './harness.js';

/**
 * In Fastify the parser position does not change the outcome: the plugin captures the raw bytes
 * in `preParsing`, which always runs before any content-type parser, whatever the registration
 * order. The flag is honoured by adding the app's content-type parser before or after
 * registering the plugin, which proves exactly that.
 */
export const fastifyHarness: AdapterHarness = {
  name: 'fastify',
  async createServer(config: AppConfig): Promise<Server> {
    const app = Fastify();
    if (config.parserPosition === 'before') installParser(app, config.bodyParser);
    await app.register(wimse, {
      verifier: config.verifier,
      audit: config.audit,
      ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
      ...(config.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: config.bodyTimeoutMs }),
      ...(config.responseSigning === undefined ? {} : { responseSigning: config.responseSigning }),
      ...(config.migration === undefined ? {} : { migration: config.migration }),
      ...(config.metrics === undefined ? {} : { metrics: config.metrics }),
    });
    if (config.parserPosition === 'after') installParser(app, config.bodyParser);
    if (config.migration) {
      for (const route of MIGRATION_ROUTES) {
        const wimseConfig = {
          mode: route.protection,
          ...(route.migration === undefined ? {} : { migration: route.migration }),
          ...(route.policy === undefined ? {} : { policy: route.policy }),
        };
        app.get(
          route.path,
          { config: { wimse: wimseConfig } },
          route.report ? migrationReportHandler : async (request) => migrationAnswer(request.workload),
        );
      }
    }

    const answer = async (request: FastifyRequest, _reply: FastifyReply) => ({
      workload: request.workload?.id ?? null,
      body: Buffer.isBuffer(request.body) ? request.body.toString('utf8') : (request.body ?? null),
    });
    app.get('/orders', answer);
    app.post('/orders', answer);
    app.get('/public', { config: { wimse: { mode: 'off' } } }, answer);
    app.get('/maybe', { config: { wimse: { mode: 'optional' } } }, answer);
    app.get('/admin', { config: { wimse: { policy: allowWorkloads(ADMIN_ID) } } }, answer);
    const neverAnswers = () => new Promise<boolean>(() => {});
    app.get(
      '/pdp',
      { config: { wimse: { policy: fromDecisionPoint(neverAnswers, { timeoutMs: PDP_TIMEOUT_MS }) } } },
      answer,
    );
    await app.ready();
    return app.server;
  },
};

export default fastifyHarness;

function installParser(app: FastifyInstance, parser: AppConfig['bodyParser']): void {
  switch (parser) {
    case 'json':
      return; // Fastify's built-in JSON parser
    case 'urlencoded':
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      return;
    case 'raw':
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      return;
    case 'none':
      // Accepts every content type and never reads the body.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
      return;
  }
}
