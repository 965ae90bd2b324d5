import {
  bodyTimeoutOption,
  bodyWasConsumed,
  createWorkloadGuard,
  isMigrationMode,
  isProtectionMode,
  isWimseError,
  type MigrationMode,
  obtainRawBody,
  type ProtectionMode,
  type RouteMigration,
  requestFields,
  requestTransport,
  WimseError,
  type WorkloadGuard,
  type WorkloadGuardOptions,
  type WorkloadIdentity,
  type WorkloadRequest,
} from '@wimse-pep/core';
import type { Context, Middleware } from 'koa';
import { rawBodyFromParser } from './parser-raw-body.js';
import { signResponseAfterHandler } from './sign-response.js';
import { decisions, refuse, routeOf } from './state.js';

declare module 'koa' {
  interface DefaultState {
    /**
     * The verified calling workload; absent when the route's mode let the request through without
     * one. Read-only, so that no later middleware can swap the verified identity.
     */
    readonly workload?: WorkloadIdentity;
  }
}

export interface WimseOptions extends WorkloadGuardOptions {
  /** Largest body buffered for the Content-Digest check, in bytes (default 1 MiB); larger is 413. */
  readonly bodyLimit?: number;
  /** How long to wait for the body once it is needed, in ms (default 30 000); then 408 `body_timeout`. */
  readonly bodyTimeoutMs?: number;
}

export interface WimseMiddleware extends Middleware {
  /**
   * This PEP with another protection mode, for a route or a router mounted before `app.use(pep)`;
   * with a migration mode (`pep.withMode('either')`, `pep.withMode('required', { mode, floor })`)
   * the route's bearer-to-WIT migration setting.
   */
  withMode(mode: ProtectionMode | MigrationMode, migration?: RouteMigration): Middleware;
  /** Middleware answering the migration report as JSON; mount it behind a policy. */
  migrationReport(): Middleware;
  readonly guard: WorkloadGuard;
  readonly bodyLimit: number;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const BODY_UNAVAILABLE_HINT =
  'the request body was consumed by a body parser before wimse() could see its raw bytes, and the ' +
  "parser's rawBody is not provably those bytes: register wimse() (or captureRawBody()) before your body parser";

/**
 * The Koa PEP. Middleware runs before the router knows the route, so the protection of a request
 * is decided by the first `wimse()` middleware it meets (as in the Express adapter):
 *
 * ```ts
 * const pep = wimse({ verifier: { trustDomains, audiences } });
 * publicRouter.get('/health', health);                              // no PEP: off
 * publicRouter.get('/catalog', pep.withMode('optional'), catalog);  // identity when presented
 * app.use(publicRouter.routes());
 * app.use(pep);                                                     // everything below: required
 * app.use(bodyParser());
 * router.post('/refunds', requireWorkload(allowWorkloads(BILLING)), refund);
 * ```
 *
 * Raw body: registered before the body parser, it reads the bytes itself and gives them back to
 * the stream, so @koa/bodyparser (or any parser, or the handler) reads them unchanged. Registered
 * after @koa/bodyparser, it uses the parser's `ctx.request.rawBody` only when that provably is the
 * received bytes (see parser-raw-body.ts), else refuses with 500 `body_unavailable`. For any other
 * parser that must run first, register `captureRawBody()` before it.
 *
 * Refusals are decisions, answered right here as application/problem+json (so that no error
 * handler renders them with the detailed reason, threat O4); upstream middleware sees the status.
 * Any other error, from the guard or from downstream handlers, takes Koa's error path unchanged.
 */
export function wimse(options: WimseOptions): WimseMiddleware {
  const guard = createWorkloadGuard(options);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit <= 0) throw new TypeError('bodyLimit must be a positive integer');
  const bodyTimeoutMs = bodyTimeoutOption(options.bodyTimeoutMs);

  const authenticate = async (
    ctx: Context,
    mode: ProtectionMode,
    migration: RouteMigration | undefined,
  ): Promise<void> => {
    const earlier = decisions.get(ctx.req);
    if (earlier && (earlier.identity !== undefined || mode !== 'required')) return;
    const request: WorkloadRequest = {
      method: ctx.method,
      // Path and query exactly as on the request line, whatever router prefix is mounted.
      target: ctx.originalUrl,
      transport: requestTransport(ctx.req.socket),
      headers: requestFields(ctx.req),
    };
    let identity: WorkloadIdentity | undefined;
    try {
      identity = await guard.authenticate(request, { route: routeOf(ctx), mode, migration }, () =>
        readBody(ctx, bodyLimit, bodyTimeoutMs),
      );
    } catch (error) {
      if (isWimseError(error) && error.code === 'body_unavailable' && bodyWasConsumed(ctx.req)) {
        throw new WimseError('body_unavailable', BODY_UNAVAILABLE_HINT, { cause: error });
      }
      throw error;
    }
    if (identity) Object.defineProperty(ctx.state, 'workload', { value: identity, enumerable: true });
    decisions.set(ctx.req, { guard, request, identity });
    ctx.set(guard.responseHeaders(identity));
  };

  const withMode = (mode: ProtectionMode | MigrationMode, routeMigration?: RouteMigration): Middleware => {
    const protection = isMigrationMode(mode) ? 'required' : mode;
    if (!isProtectionMode(protection)) {
      throw new TypeError('mode must be one of required, optional, off, or a migration mode');
    }
    const migration = isMigrationMode(mode) ? { ...routeMigration, mode } : routeMigration;
    guard.checkRouteMigration(migration, 'withMode migration');
    return async (ctx, next) => {
      try {
        await authenticate(ctx, protection, migration);
      } catch (error) {
        refuse(ctx, error, guard.exposeErrorDetail);
        return;
      }
      const decision = decisions.get(ctx.req);
      if (decision?.guard === guard && decision.identity && guard.mustSignResponse(decision.identity)) {
        await next();
        await signResponseAfterHandler(ctx, guard, decision.identity, decision.request);
        return;
      }
      await next();
    };
  };

  const migrationReport = (): Middleware => async (ctx) => {
    try {
      ctx.body = await guard.migrationReport();
    } catch (error) {
      refuse(ctx, error, guard.exposeErrorDetail);
    }
  };

  return Object.assign(withMode(guard.mode), { withMode, migrationReport, guard, bodyLimit });
}

/** The bytes as received: read (and given back) here, or kept by a parser that ran first. */
async function readBody(ctx: Context, limit: number, timeoutMs: number): Promise<Uint8Array | undefined> {
  const bytes = await obtainRawBody(ctx.req, limit, timeoutMs);
  if (bytes !== undefined || !bodyWasConsumed(ctx.req)) return bytes;
  const parsed = rawBodyFromParser(ctx);
  if (parsed !== undefined && parsed.byteLength > limit) {
    throw new WimseError('body_too_large', `the request body exceeds ${limit} bytes`);
  }
  return parsed;
}

/**
 * For apps whose body parser must run before `wimse()`: register `captureRawBody()` first. It
 * reads the raw bytes once (within `limit`), keeps them for the digest check and gives them back
 * to the request stream, so the parser reads them as usual.
 */
export function captureRawBody(options: { limit?: number; timeoutMs?: number } = {}): Middleware {
  const limit = options.limit ?? DEFAULT_BODY_LIMIT;
  const timeoutMs = bodyTimeoutOption(options.timeoutMs);
  return async (ctx, next) => {
    try {
      await obtainRawBody(ctx.req, limit, timeoutMs);
    } catch (error) {
      refuse(ctx, error, false);
      return;
    }
    await next();
  };
}
