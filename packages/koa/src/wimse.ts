import type {
  MigrationMode,
  ProtectionMode,
  RouteMigration,
  WorkloadGuard,
  WorkloadGuardOptions,
  WorkloadIdentity,
} from '@wimse-pep/core';
import {
  type BodySettings,
  bodySettings,
  bodyTooLarge,
  bodyWasConsumed,
  createNodePep,
  type NodeAdapterOptions,
  type NodePepDecision,
  obtainRawBody,
  type RouteConfig,
  routeSetting,
} from '@wimse-pep/core/node';
import type { Context, Middleware } from 'koa';
import { rawBodyFromParser } from './parser-raw-body.js';
import { signResponseAfterHandler } from './sign-response.js';
import { refuse, routeOf } from './state.js';

/** A route's settings for `withMode({...})`; a policy goes in `requireWorkload(policy)`. */
export type RouteSettings = Omit<RouteConfig, 'policy'>;

declare module 'koa' {
  interface DefaultState {
    /** The verified calling workload; absent when the route's mode let the request through without one. Read-only. */
    readonly workload?: WorkloadIdentity;
  }
}

export interface WimseOptions extends WorkloadGuardOptions, NodeAdapterOptions {}

export interface WimseMiddleware extends Middleware {
  /**
   * This PEP with another protection mode, for a route or a router mounted before `app.use(pep)`;
   * with a migration mode (`pep.withMode('either')`, `pep.withMode('required', { mode, floor })`)
   * the route's bearer-to-WIT migration setting.
   */
  withMode(mode: ProtectionMode | MigrationMode, migration?: RouteMigration): Middleware;
  /** This PEP with a route's settings as an object: `pep.withMode({ mode, migration, transactionToken })`. */
  withMode(settings: RouteSettings): Middleware;
  /** Middleware answering the migration report as JSON; mount it behind a policy. */
  migrationReport(): Middleware;
  readonly guard: WorkloadGuard;
  readonly bodyLimit: number;
}

export const BODY_UNAVAILABLE_HINT =
  'the request body was consumed by a body parser before wimse() could see its raw bytes, and the ' +
  "parser's rawBody is not provably those bytes: register wimse() (or captureRawBody()) before your body parser";

/**
 * The Koa PEP. Middleware runs before the router knows the route, so the protection of a request
 * is decided by the first `wimse()` middleware it meets (routes or routers mounted before
 * `app.use(pep)` take `pep.withMode(...)`). Registered before the body parser, it reads the raw
 * bytes itself and gives them back to the stream; after @koa/bodyparser, it uses the parser's
 * `rawBody` only when that provably is the received bytes (parser-raw-body.ts). Refusals are
 * answered here as application/problem+json; other errors take Koa's error path unchanged.
 *
 * @example
 * ```ts
 * const pep = wimse({ verifier: { trustDomains: [{ trustDomain: 'example.com', issuers: [{ issuer: 'https://issuer.example.com', jwksUri }] }], audiences: ['https://orders.internal.example'] } });
 * app.use(pep); // before the body parser: the PEP reads the raw body and gives it back
 * app.use(bodyParser());
 * router.get('/orders/:id', requireWorkload(allowTrustDomain('wimse://example.com')), (ctx) => {
 *   ctx.body = { caller: ctx.state.workload?.id };
 * });
 * ```
 */
export function wimse(options: WimseOptions): WimseMiddleware {
  const pep = createNodePep(options, 'wimse', BODY_UNAVAILABLE_HINT);
  const { guard, body } = pep;

  const withMode = (mode: ProtectionMode | MigrationMode | RouteSettings, migration?: RouteMigration): Middleware => {
    const setting = routeSetting(guard, mode, migration);
    return async (ctx, next) => {
      const route = {
        route: routeOf(ctx),
        mode: setting.protection,
        migration: setting.migration,
        transactionToken: setting.transactionToken,
        unboundTransactionToken: setting.unboundTransactionToken,
      };
      let decision: NodePepDecision & { readonly fresh: boolean };
      try {
        decision = await pep.authenticate(ctx.req, {
          target: ctx.originalUrl,
          route,
          readBody: () => readBody(ctx, body),
        });
      } catch (error) {
        refuse(ctx, error, guard.exposeErrorDetail);
        return;
      }
      const { identity, request } = decision;
      if (decision.fresh) {
        if (identity) Object.defineProperty(ctx.state, 'workload', { value: identity, enumerable: true });
        ctx.set(guard.responseHeaders(identity));
      }
      await next();
      if (decision.pep === pep && identity && guard.mustSignResponse(identity)) {
        await signResponseAfterHandler(ctx, guard, identity, request);
      }
    };
  };

  const migrationReport = (): Middleware => async (ctx) => {
    try {
      ctx.body = await guard.migrationReport();
    } catch (error) {
      refuse(ctx, error, guard.exposeErrorDetail);
    }
  };

  return Object.assign(withMode(guard.mode), { withMode, migrationReport, guard, bodyLimit: body.limit });
}

/** The bytes as received: read (and given back) here, or kept by a parser that ran first. */
async function readBody(ctx: Context, body: BodySettings): Promise<Uint8Array | undefined> {
  const bytes = await obtainRawBody(ctx.req, body.limit, body.timeoutMs);
  if (bytes !== undefined || !bodyWasConsumed(ctx.req)) return bytes;
  const parsed = rawBodyFromParser(ctx);
  if (parsed !== undefined && parsed.byteLength > body.limit) throw bodyTooLarge(body.limit);
  return parsed;
}

/**
 * For apps whose body parser must run before `wimse()`: register `captureRawBody()` first. It
 * reads the raw bytes once (within `limit`), keeps them for the digest check and gives them back
 * to the request stream, so the parser reads them as usual.
 */
export function captureRawBody(options: { limit?: number; timeoutMs?: number } = {}): Middleware {
  const body = bodySettings({ bodyLimit: options.limit, bodyTimeoutMs: options.timeoutMs }, 'captureRawBody');
  return async (ctx, next) => {
    try {
      await obtainRawBody(ctx.req, body.limit, body.timeoutMs);
    } catch (error) {
      refuse(ctx, error, false);
      return;
    }
    await next();
  };
}
