import type { IncomingMessage, ServerResponse } from 'node:http';
import { type NodePep, requestSlot, signOnEnd } from '@wimse-pep/core/node';
import type { RouteInfo } from '../route-info.js';
import { refuseInHook } from '../state.js';
import { verifyRequest } from '../verify-request.js';
import { observeRoutes, type ResolveRoute } from './route-methods.js';

type Next = (error?: unknown) => void;
type Middleware = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: Next) => void;
/** The part of an Express router (`express.Router()`) the hook uses. */
export type ExpressRouter = Middleware & Record<string, (path: string, handler: Middleware) => unknown>;

const matches = requestSlot<{ readonly info: RouteInfo; readonly path: string }>('@wimse-pep/nestjs.express-route');

/**
 * Express runs middleware in registration order and Nest registers its body parsers when the
 * application initialises: this middleware is registered before them, when the module is created.
 * Express matches routes only after the parsers, so the hook keeps its own router with the same
 * paths (given it by Nest's route registrations), which tells it the route a request will reach.
 */
export function installExpressHook(
  app: { use(middleware: Middleware): unknown },
  adapter: object,
  front: ExpressRouter,
  pep: NodePep,
  resolve: ResolveRoute,
): void {
  const { guard } = pep;
  observeRoutes(adapter, resolve, (method, path, info) => {
    if (!info.guarded) return;
    front[method]?.(path, (req, _res, next) => {
      matches.set(req, { info, path });
      next('router');
    });
  });
  app.use((req, res, next) => {
    front(req, res, () => {
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
