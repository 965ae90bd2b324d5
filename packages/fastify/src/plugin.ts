import type { RouteContext } from '@wimse-pep/core';
import {
  authorizeNodeRequest,
  checkRouteConfig,
  createNodePep,
  nodeDecision,
  pathOf,
  readBodyStream,
  signReplyPayload,
} from '@wimse-pep/core/node';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { pendingPolicies, refuse } from './state.js';
import type { WimseDecoration, WimsePluginOptions } from './types.js';

const CONSUMED_HINT =
  'the request body was consumed before @wimse-pep/fastify: register the plugin before anything that reads the payload';

/**
 * Everything happens in one `preParsing` hook, which Fastify runs for every request (any method,
 * matched route or 404) before content-type parsing: the digest is checked against the bytes as
 * received, no parser (not even the 415 for an unknown type) runs for an unauthenticated caller,
 * and the app's parsers then read the same bytes. Register it before routes and before any
 * `preParsing` hook that rewrites the payload (Content-Digest covers the content as sent).
 */
const wimsePlugin: FastifyPluginAsync<WimsePluginOptions> = async (fastify, options) => {
  const pep = createNodePep(options, 'wimse', CONSUMED_HINT);
  const { guard } = pep;
  const decoration: WimseDecoration = {
    guard,
    migrationReport: () => guard.migrationReport(),
    resetMigration: (id) => guard.resetMigration(id),
  };
  fastify.decorateRequest('workload', null);
  fastify.decorate('wimse', decoration);
  fastify.addHook('onRoute', (route) => checkRouteConfig(guard, route.config?.wimse, `${route.method} ${route.url}`));
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // Most responses need no signature: passed on at once, without a promise per response.
    const decision = nodeDecision(request.raw);
    if (!decision?.identity || !guard.mustSignResponse(decision.identity)) return done(null, payload);
    signReplyPayload(guard, decision.identity, decision.request, reply, payload).then(
      (signed) => done(null, signed),
      (error: Error) => done(error),
    );
  });
  fastify.addHook('preParsing', (request, reply, payload, next) => {
    // Fastify builds (and freezes) a new routeOptions object on every read: read it once.
    const { config, url, bodyLimit } = request.routeOptions;
    const setting = config.wimse;
    const route: RouteContext = {
      route: url ?? pathOf(request.originalUrl),
      mode: setting?.mode,
      migration: setting?.migration,
      transactionToken: setting?.transactionToken,
      unboundTransactionToken: setting?.unboundTransactionToken,
    };
    let stream = payload;
    const readBody = async () => {
      const read = await readBodyStream(payload, request.raw, options.bodyLimit ?? bodyLimit, pep.body.timeoutMs);
      stream = read.stream;
      return read.bytes;
    };
    const verify = async () => {
      const decision = await pep.authenticate(request.raw, { target: request.originalUrl, route, readBody });
      request.workload = decision.identity ?? null;
      reply.headers(guard.responseHeaders(decision.identity));
      for (const policy of [setting?.policy, ...(pendingPolicies.get(request) ?? [])]) {
        if (policy) await authorizeNodeRequest(request.raw, policy, route.route);
      }
      return stream;
    };
    verify().then(
      (verified) => next(null, verified),
      (error: unknown) => refuse(reply, error, guard.exposeErrorDetail, next),
    );
  });
};

/**
 * The Fastify plugin: every route requires a workload unless its `config.wimse` says otherwise;
 * `request.workload` is the verified identity.
 *
 * @example
 * ```ts
 * await app.register(wimse, { verifier: { trustDomains, audiences: ['https://orders.internal.example'] } });
 * app.get('/health', { config: { wimse: { mode: 'off' } } }, async () => ({ ok: true }));
 * app.get(
 *   '/orders/:id',
 *   { config: { wimse: { policy: allowTrustDomain('wimse://example.com') } } },
 *   async (request) => ({ caller: request.workload?.id }),
 * );
 * ```
 */
export const wimse = fp(wimsePlugin, { fastify: '5.x', name: '@wimse-pep/fastify' });
