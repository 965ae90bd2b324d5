import {
  bodyTimeoutOption,
  createWorkloadGuard,
  isMigrationMode,
  isProtectionMode,
  isWimseError,
  type MigrationMode,
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
import type { Request, RequestHandler, Response } from 'express';
import { BODY_UNAVAILABLE_HINT, bodyWasConsumed, obtainRawBody } from './raw-body.js';
import { signResponseOnEnd } from './sign-response.js';
import { decisions, type Rendering, refuse, renderings, routeOf } from './state.js';

declare global {
  namespace Express {
    interface Request {
      /** The verified calling workload; absent when the route's mode let the request through without one. */
      readonly workload?: WorkloadIdentity;
    }
  }
}

export interface WimseOptions extends WorkloadGuardOptions {
  /** Largest body buffered for the Content-Digest check, in bytes (default 1 MiB); larger is 413. */
  readonly bodyLimit?: number;
  /** How long to wait for the body once it is needed, in ms (default 30 000); then 408 `body_timeout`. */
  readonly bodyTimeoutMs?: number;
  /**
   * false (default): refusals are answered right away as application/problem+json, whatever the
   * app's error handlers. true: a refusal is `next(err)` with a WimseError (it has `status`), for
   * apps with a central error handler; install `wimseErrorHandler()` to render it as a problem.
   */
  readonly passErrors?: boolean;
}

/** `app.use(pep)` protects what is registered after it; `pep.withMode(...)` is the same PEP for one route. */
export interface WimseMiddleware extends RequestHandler {
  /**
   * This PEP with another protection mode, for routes registered before `app.use(pep)`; with a
   * migration mode (`pep.withMode('either')`, `pep.withMode('required', { mode: 'shadow', floor })`)
   * the route's bearer-to-WIT migration setting.
   */
  withMode(mode: ProtectionMode | MigrationMode, migration?: RouteMigration): RequestHandler;
  /** A handler answering the migration report as JSON; mount it behind a policy. */
  migrationReport(): RequestHandler;
  readonly guard: WorkloadGuard;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The Express PEP. Express runs middleware in registration order, before it knows which route
 * matches, so the protection of a route is decided by the first `wimse()` middleware the request
 * meets:
 *
 * ```ts
 * const pep = wimse({ verifier: { trustDomains, audiences } });
 * app.get('/health', pep.withMode('off'), health);          // public
 * app.get('/catalog', pep.withMode('optional'), catalog);   // identity when presented
 * app.use(pep);                                             // everything below: required
 * app.post('/refunds', requireWorkload(allowWorkloads(BILLING)), refund);
 * ```
 *
 * A request is authenticated once: a later `wimse()` middleware keeps an earlier decision unless
 * it requires an identity that the earlier one (mode `off` or `optional`) did not establish.
 * Register it before the app's body parser (or give the parser `{ verify: captureRawBody }`).
 */
export function wimse(options: WimseOptions): WimseMiddleware {
  const guard = createWorkloadGuard(options);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit <= 0) throw new TypeError('bodyLimit must be a positive integer');
  const bodyTimeoutMs = bodyTimeoutOption(options.bodyTimeoutMs);
  if (options.passErrors !== undefined && typeof options.passErrors !== 'boolean') {
    throw new TypeError('passErrors must be a boolean');
  }
  const rendering: Rendering = { passErrors: options.passErrors === true, exposeErrorDetail: guard.exposeErrorDetail };

  const authenticate = async (
    req: Request,
    res: Response,
    mode: ProtectionMode,
    migration: RouteMigration | undefined,
  ): Promise<void> => {
    const earlier = decisions.get(req);
    if (earlier && (earlier.identity !== undefined || mode !== 'required')) return;
    const request: WorkloadRequest = {
      method: req.method,
      // Path and query exactly as on the request line, whatever router the middleware is mounted on.
      target: req.originalUrl,
      headers: requestFields(req),
      transport: requestTransport(req.socket),
    };
    let identity: WorkloadIdentity | undefined;
    try {
      identity = await guard.authenticate(request, { route: routeOf(req), mode, migration }, () =>
        obtainRawBody(req, bodyLimit, bodyTimeoutMs),
      );
    } catch (error) {
      if (isWimseError(error) && error.code === 'body_unavailable' && bodyWasConsumed(req)) {
        throw new WimseError('body_unavailable', BODY_UNAVAILABLE_HINT, { cause: error });
      }
      throw error;
    }
    // Read-only, so that no later middleware can swap the verified identity.
    if (identity) Object.defineProperty(req, 'workload', { value: identity, enumerable: true });
    decisions.set(req, { guard, request, identity, rendering });
    res.set(guard.responseHeaders(identity));
    if (identity && guard.mustSignResponse(identity)) signResponseOnEnd(res, guard, identity, request);
  };

  const withMode = (mode: ProtectionMode | MigrationMode, routeMigration?: RouteMigration): RequestHandler => {
    const protection = isMigrationMode(mode) ? 'required' : mode;
    if (!isProtectionMode(protection)) {
      throw new TypeError('mode must be one of required, optional, off, or a migration mode');
    }
    const migration = isMigrationMode(mode) ? { ...routeMigration, mode } : routeMigration;
    guard.checkRouteMigration(migration, 'withMode migration');
    return (req, res, next) => {
      renderings.set(req, rendering);
      authenticate(req, res, protection, migration).then(
        () => next(),
        (error: unknown) => refuse(error, res, next, rendering),
      );
    };
  };

  const migrationReport = (): RequestHandler => (_req, res, next) => {
    guard.migrationReport().then(
      (report) => res.json(report),
      (error: unknown) => refuse(error, res, next, rendering),
    );
  };

  return Object.assign(withMode(guard.mode), { withMode, migrationReport, guard });
}
