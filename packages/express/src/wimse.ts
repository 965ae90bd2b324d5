import type {
  MigrationMode,
  ProtectionMode,
  RouteMigration,
  WorkloadGuard,
  WorkloadGuardOptions,
  WorkloadIdentity,
} from '@wimse-pep/core';
import {
  booleanOption,
  createNodePep,
  type NodeAdapterOptions,
  type RouteConfig,
  routeSetting,
  signOnEnd,
} from '@wimse-pep/core/node';
import type { RequestHandler } from 'express';
import { BODY_UNAVAILABLE_HINT } from './raw-body.js';
import { type Rendering, refuse, renderings, routeOf } from './state.js';

/** A route's settings for `withMode({...})`; a policy goes in `requireWorkload(policy)`. */
export type RouteSettings = Omit<RouteConfig, 'policy'>;

declare global {
  namespace Express {
    interface Request {
      /** The verified calling workload; absent when the route's mode let the request through without one. */
      readonly workload?: WorkloadIdentity;
    }
  }
}

export interface WimseOptions extends WorkloadGuardOptions, NodeAdapterOptions {
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
  /** This PEP with a route's settings as an object: `pep.withMode({ mode, migration, transactionToken })`. */
  withMode(settings: RouteSettings): RequestHandler;
  /** A handler answering the migration report as JSON; mount it behind a policy. */
  migrationReport(): RequestHandler;
  readonly guard: WorkloadGuard;
}

/**
 * The Express PEP. Express runs middleware in registration order, before it knows which route
 * matches, so the protection of a route is decided by the first `wimse()` middleware the request
 * meets: routes registered before `app.use(pep)` take `pep.withMode(...)`. A request is
 * authenticated once: a later `wimse()` keeps an earlier decision unless it requires an identity
 * the earlier one (mode `off` or `optional`) did not establish. Register it before the app's body
 * parser (or give the parser `{ verify: captureRawBody }`).
 *
 * @example
 * ```ts
 * const pep = wimse({ verifier: { trustDomains: [{ trustDomain: 'example.com', issuers: [{ issuer: 'https://issuer.example.com', jwksUri }] }], audiences: ['https://orders.internal.example'] } });
 * app.get('/health', pep.withMode('off'), health); // before app.use(pep): public
 * app.use(pep); // every route below requires a workload
 * app.use(express.json()); // after the PEP, which reads the raw body first
 * app.get('/orders/:id', requireWorkload(allowTrustDomain('wimse://example.com')), (req, res) => {
 *   res.json({ caller: req.workload?.id });
 * });
 * ```
 */
export function wimse(options: WimseOptions): WimseMiddleware {
  const pep = createNodePep(options, 'wimse', BODY_UNAVAILABLE_HINT);
  const { guard } = pep;
  const rendering: Rendering = {
    passErrors: booleanOption(options.passErrors, 'wimse: passErrors'),
    exposeErrorDetail: guard.exposeErrorDetail,
  };

  const withMode = (
    mode: ProtectionMode | MigrationMode | RouteSettings,
    migration?: RouteMigration,
  ): RequestHandler => {
    const setting = routeSetting(guard, mode, migration);
    return (req, res, next) => {
      renderings.set(req, rendering);
      const route = {
        route: routeOf(req),
        mode: setting.protection,
        migration: setting.migration,
        transactionToken: setting.transactionToken,
        unboundTransactionToken: setting.unboundTransactionToken,
      };
      pep
        .authenticate(req, { target: req.originalUrl, route })
        .then(({ request, identity, fresh }) => {
          if (fresh) {
            // Read-only, so that no later middleware can swap the verified identity.
            if (identity) Object.defineProperty(req, 'workload', { value: identity, enumerable: true });
            res.set(guard.responseHeaders(identity));
            if (identity && guard.mustSignResponse(identity)) signOnEnd(res, guard, identity, request);
          }
          next();
        })
        .catch((error: unknown) => refuse(error, res, next, rendering));
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
