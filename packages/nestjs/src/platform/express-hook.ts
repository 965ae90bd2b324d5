import type { IncomingMessage, ServerResponse } from 'node:http';
import { type NodePep, requestSlot, signOnEnd } from '@wimse-pep/core/node';
import type { RouteInfo } from '../route-info.js';
import { refuseInHook } from '../state.js';
import { verifyRequest } from '../verify-request.js';
import { observeRoutes, type ResolveRoute, type RouteMethod } from './route-methods.js';

type Next = (error?: unknown) => void;
type Middleware = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: Next) => void;
/** The part of an Express router (`express.Router()`) the hook uses. */
export type ExpressRouter = Middleware & Record<string, (path: string, handler: Middleware) => unknown>;

const matches = requestSlot<{ readonly info: RouteInfo; readonly path: string }>('@wimse-pep/nestjs.express-route');

/** The part of an Express application the hook uses. */
export interface ExpressAppLike {
  use(middleware: Middleware): unknown;
  /** Express 5's own router, whose matching settings the hook's router copies. */
  readonly router?: { readonly caseSensitive?: boolean; readonly strict?: boolean };
  enabled(setting: string): boolean;
}
export type ExpressRouterFactory = (options: { caseSensitive: boolean; strict: boolean }) => ExpressRouter;

/**
 * Express runs middleware in registration order and Nest registers its body parsers when the
 * application initialises: this middleware is registered before them, when the module is created.
 * Express matches routes only after the parsers, so the hook keeps its own router with the same
 * paths (given it by Nest's route registrations), which tells it the route a request will reach.
 * That router is built at the first request with the matching settings of the application's own
 * router (case sensitivity, strict slashes), so that it matches as the application's does. Express
 * fixes those when its router is created, which the hook's `app.use` does: routing settings go on
 * the Express instance before `NestFactory.create(module, new ExpressAdapter(instance))`.
 */
export function installExpressHook(
  app: ExpressAppLike,
  adapter: object,
  createRouter: ExpressRouterFactory,
  pep: NodePep,
  resolve: ResolveRoute,
): void {
  const { guard } = pep;
  const routes = new Map<string, { readonly method: RouteMethod; readonly path: string; info: RouteInfo }>();
  observeRoutes(adapter, resolve, (method, path, info) => {
    const key = `${method} ${path}`;
    const known = routes.get(key);
    if (known) known.info = info;
    else routes.set(key, { method, path, info });
  });
  let front: ExpressRouter | undefined;
  const frontRouter = (): ExpressRouter => {
    if (front) return front;
    const router = createRouter({
      caseSensitive: app.router?.caseSensitive ?? app.enabled('case sensitive routing'),
      strict: app.router?.strict ?? app.enabled('strict routing'),
    });
    for (const route of routes.values()) {
      if (!route.info.guarded) continue;
      router[route.method]?.(route.path, (req, _res, next) => {
        matches.set(req, { info: route.info, path: route.path });
        next('router');
      });
    }
    front = router;
    return router;
  };
  app.use((req, res, next) => {
    frontRouter()(req, res, () => {
      const match = matches.get(req);
      if (!match) {
        next();
        return;
      }
      verifyRequest(pep, req, match.info, match.path, req.originalUrl ?? req.url ?? '/').then(
        ({ identity, request, fresh }) => {
          if (fresh) {
            for (const [name, value] of Object.entries(guard.responseHeaders(identity))) res.setHeader(name, value);
            if (identity && guard.mustSignResponse(identity)) signOnEnd(res, guard, identity, request);
          }
          next();
        },
        (error: unknown) => {
          refuseInHook(req, error);
          next();
        },
      );
    });
  });
}
