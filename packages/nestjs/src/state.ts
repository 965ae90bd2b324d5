import type { IncomingMessage } from 'node:http';
import { requestSlot } from '@wimse-pep/core/node';
import type { RouteInfo } from './route-info.js';

/** The route the platform hook verified a request for: the guard checks it is the one Nest runs. */
export const verifiedRoutes = requestSlot<RouteInfo>('@wimse-pep/nestjs.route');

/**
 * The refusal the platform hook met for a request, kept for `WimseGuard` to throw: the hook never
 * answers, so the refusal takes Nest's exception path (and the application's filters see it).
 */
export const refusals = requestSlot<{ readonly error: unknown }>('@wimse-pep/nestjs.refusal');

/**
 * A refused request's body is never read: its framing is removed so that no body parser of the
 * platform reads it (body-parser and Fastify parse only a request that declares a body); the
 * response then closes or drains it as for any refusal of the other adapters.
 */
export function refuseInHook(req: IncomingMessage, error: unknown): void {
  refusals.set(req, { error });
  delete req.headers['content-length'];
  delete req.headers['transfer-encoding'];
  delete req.headers['content-type'];
  delete req.headers['content-encoding'];
}
