import {
  bodyTimeoutOption,
  createWorkloadGuard,
  isProtectionMode,
  type ProtectionMode,
  type RouteContext,
  requestFields,
  requestTransport,
  type WorkloadGuard,
  type WorkloadRequest,
} from '@wimse-pep/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { readRawBody } from './raw-body.js';
import { signResponseOnSend } from './sign-response-hook.js';
import { authenticated, guardKey, pendingPolicies, refuse } from './state.js';
import type { WimseDecoration, WimsePluginOptions, WimseRouteConfig } from './types.js';

/**
 * Everything happens in one `preParsing` hook. Fastify runs it for every request (any method,
 * with or without a body, matched route or 404) after `onRequest` and before content-type
 * parsing, so: the digest is checked against the bytes exactly as received; no parser, not even
 * the 415 for an unknown content type, runs for an unauthenticated or unauthorized caller; and the
 * app's parsers (built-in JSON or custom) then read the same bytes from a fresh stream.
 * Register the plugin before routes and before any `preParsing` hook that rewrites the payload
 * (decompression): Content-Digest covers the content as sent.
 */
const wimsePlugin: FastifyPluginAsync<WimsePluginOptions> = async (fastify, options) => {
  const guard = createWorkloadGuard(options);
  const { bodyLimit } = options;
  if (bodyLimit !== undefined && !(Number.isSafeInteger(bodyLimit) && bodyLimit > 0)) {
    throw new TypeError('bodyLimit must be a positive integer');
  }
  const bodyTimeoutMs = bodyTimeoutOption(options.bodyTimeoutMs);
  fastify.decorateRequest('workload', null);
  fastify.decorate(guardKey, guard);
  const decoration: WimseDecoration = {
    guard,
    migrationReport: () => guard.migrationReport(),
    resetMigration: (id) => guard.resetMigration(id),
  };
  fastify.decorate('wimse', decoration);
  fastify.addHook('onRoute', (route) => checkRouteConfig(route.config?.wimse, guard, `${route.method} ${route.url}`));

  fastify.addHook('onSend', (request, reply, payload, done) => {
    // Most responses need no signature: passed on at once, without a promise per response.
    const state = authenticated.get(request);
    if (!state?.identity || !guard.mustSignResponse(state.identity)) {
      done(null, payload);
      return;
    }
    signResponseOnSend(guard, request, reply, payload).then(
      (signed) => done(null, signed),
      (error: Error) => done(error),
    );
  });

  fastify.addHook('preParsing', (request, reply, payload, next) => {
    // Fastify builds (and freezes) a new routeOptions object on every read: read it once.
    const routeOptions = request.routeOptions;
    const config = routeOptions.config.wimse;
    const route: RouteContext = {
      route: routeOptions.url ?? pathOf(request),
      mode: config?.mode,
      migration: config?.migration,
    };
    const verify = async () => {
      // The guard reads the body only when it will verify it (not on `off` routes, nor on `optional`
      // ones without credentials), and inside the audited decision (a 413 is audited too).
      let stream: typeof payload | undefined;
      const readBody = async () => {
        const body = await readRawBody(
          payload,
          bodyLimit ?? routeOptions.bodyLimit,
          request.raw.headers['content-length'],
          bodyTimeoutMs,
        );
        stream = body.stream;
        return body.bytes;
      };
      const core: WorkloadRequest = {
        method: request.method,
        target: request.originalUrl,
        headers: requestFields(request.raw),
        transport: requestTransport(request.raw.socket),
      };
      const identity = await guard.authenticate(core, route, readBody);
      request.workload = identity ?? null;
      reply.headers(guard.responseHeaders(identity));
      authenticated.set(request, { guard, request: core, identity, route });
      const policies = [config?.policy, ...(pendingPolicies.get(request) ?? [])];
      for (const policy of policies) if (policy) await guard.authorize(identity, core, policy, route);
      return stream ?? payload;
    };
    verify().then(
      (stream) => next(null, stream),
      (error: unknown) => refuse(reply, error, guard.exposeErrorDetail, next),
    );
  });
};

/** Route configuration is checked once, when the route is added. */
function checkRouteConfig(config: WimseRouteConfig | undefined, guard: WorkloadGuard, label: string): void {
  const defaultMode: ProtectionMode = guard.mode;
  if (config === undefined) return;
  if (typeof config !== 'object' || config === null) throw new TypeError(`${label}: config.wimse must be an object`);
  if (config.mode !== undefined && !isProtectionMode(config.mode)) {
    throw new TypeError(`${label}: config.wimse.mode must be required, optional or off`);
  }
  if (config.policy !== undefined && typeof config.policy !== 'function') {
    throw new TypeError(`${label}: config.wimse.policy must be a function`);
  }
  guard.checkRouteMigration(config.migration, `${label}: config.wimse.migration`);
  if (config.policy !== undefined && (config.mode ?? defaultMode) === 'off') {
    throw new TypeError(`${label}: a route with mode off cannot have a policy (it would deny every request)`);
  }
}

function pathOf(request: FastifyRequest): string {
  const target = request.originalUrl;
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/** The Fastify plugin: `app.register(wimse, { verifier: { trustDomains, audiences } })`. */
export const wimse = fp(wimsePlugin, { fastify: '5.x', name: '@wimse-pep/fastify' });
