import {
  createWorkloadGuard,
  type ProtectionMode,
  WimseError,
  type WorkloadGuard,
  type WorkloadGuardOptions,
  type WorkloadIdentity,
} from '@wimse-pep/core';
import type { MiddlewareHandler } from 'hono';
import { decisions } from './decision.js';
import { bodySettings, type HonoBodyOptions } from './options.js';
import { refuse } from './problem.js';
import { readRawBody } from './raw-body.js';
import { type RouteSettings, routeSettings } from './route-settings.js';
import { signedResponse } from './sign-response.js';
import { webWorkloadRequest } from './web-request.js';

/** Hono's environment as `wimse()` fills it: `c.get('workload')` is the verified caller. */
export interface WimseEnv {
  Variables: {
    /** The verified calling workload; undefined when the route's mode let the request through without one. */
    workload: WorkloadIdentity | undefined;
  };
}

export interface WimseOptions extends WorkloadGuardOptions, HonoBodyOptions {
  /**
   * On Cloudflare Workers, accept the default in-memory replay store (development only): each
   * isolate then remembers only its own nonces, so a request replayed to another isolate passes.
   * Without it, a Workers deployment must give `verifier.replayStore` (`durableObjectReplayStore`).
   */
  readonly allowIsolateReplayStore?: boolean;
}

/** `app.use(pep)` protects what is registered after it; `pep.withMode(...)` is the same PEP for one route. */
export interface WimseMiddleware extends MiddlewareHandler<WimseEnv> {
  /** This PEP for one route: another protection mode, or `{ mode, policy, migration, transactionToken }`. */
  withMode(settings: ProtectionMode | RouteSettings): MiddlewareHandler<WimseEnv>;
  /** A handler answering the migration report as JSON; mount it behind a policy. */
  migrationReport(): MiddlewareHandler<WimseEnv>;
  readonly guard: WorkloadGuard;
}

/**
 * The Hono PEP, over the core's root entry point only (no Node module), so the same middleware
 * runs on Node, Bun, Deno and workerd. The body is read only if the guard asks for it (after the
 * WIT and the signature held), from a clone of the Web Request, and left in Hono's body cache for
 * the handler. A request is authenticated once: a later `wimse()` keeps an earlier decision unless
 * it requires an identity the earlier one did not establish.
 */
export function wimse(options: WimseOptions): WimseMiddleware {
  checkRuntimeOptions(options);
  const guard = createWorkloadGuard(options);
  const body = bodySettings(options);
  const expose = guard.exposeErrorDetail;

  const withMode = (input: ProtectionMode | RouteSettings): MiddlewareHandler<WimseEnv> => {
    const settings = routeSettings(guard, input);
    const mode = settings.mode ?? guard.mode;
    return async (c, next) => {
      const raw = c.req.raw;
      const earlier = decisions.get(raw);
      let decision = earlier;
      if (!earlier || (earlier.identity === undefined && mode === 'required')) {
        const request = webWorkloadRequest(raw);
        const route = {
          route: c.req.path,
          mode,
          migration: settings.migration,
          transactionToken: settings.transactionToken,
          unboundTransactionToken: settings.unboundTransactionToken,
        };
        try {
          const identity = await guard.authenticate(request, route, () => readRawBody(c, body));
          decision = { request, identity, guard };
        } catch (error) {
          return refuse(c, error, expose);
        }
        decisions.set(raw, decision);
        c.set('workload', decision.identity);
      } else if (settings.transactionToken === 'required' && earlier.identity?.transaction === undefined) {
        // The earlier decision verified any Txn-Token the request carries; none means none came.
        return refuse(c, new WimseError('txn_token_missing', 'this route requires a Txn-Token'), expose);
      }
      const { request, identity } = decision as NonNullable<typeof decision>;
      if (settings.policy) {
        try {
          await guard.authorize(identity, request, settings.policy, { route: c.req.path });
        } catch (error) {
          return refuse(c, error, expose);
        }
      }
      await next();
      if (decision === earlier) return;
      for (const [name, value] of Object.entries(guard.responseHeaders(identity))) c.header(name, value);
      if (identity && guard.mustSignResponse(identity)) {
        c.res = await signedResponse(guard, identity, request, c.res);
      }
    };
  };

  const migrationReport = (): MiddlewareHandler<WimseEnv> => async (c) => {
    try {
      return c.json(await guard.migrationReport());
    } catch (error) {
      return refuse(c, error, expose);
    }
  };

  return Object.assign(withMode(guard.mode), { withMode, migrationReport, guard });
}

/**
 * What cannot work where the PEP runs, refused at construction: mutual TLS needs the TLS
 * connection, which a Web Request does not carry; on Workers an in-memory replay store protects one
 * isolate of many (a Redis store needs TCP: use the Durable Object store there).
 */
function checkRuntimeOptions(options: WimseOptions): void {
  const flag = options.allowIsolateReplayStore;
  if (flag !== undefined && typeof flag !== 'boolean') {
    throw new TypeError(`wimse: allowIsolateReplayStore must be a boolean, got ${typeof flag}`);
  }
  // A verifier built beforehand (createVerifier) was checked by its own factory.
  const verifier = options.verifier as { verify?: unknown; mtls?: unknown; replayStore?: unknown } | undefined;
  if (verifier === undefined || typeof verifier.verify === 'function') return;
  if (verifier.mtls !== undefined) {
    throw new TypeError(
      'wimse: verifier.mtls must be absent: mutual TLS needs the connection, which a Web Request does not carry (use @wimse-pep/express, fastify or koa on Node)',
    );
  }
  const onWorkers =
    (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === 'Cloudflare-Workers';
  if (onWorkers && verifier.replayStore === undefined && flag !== true) {
    throw new TypeError(
      'wimse: verifier.replayStore must be a shared store on Cloudflare Workers (durableObjectReplayStore from @wimse-pep/hono/durable-object): the in-memory default protects one isolate only; set allowIsolateReplayStore: true for development',
    );
  }
}
