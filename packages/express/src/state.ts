import { isWimseError } from '@wimse-pep/core';
import { pathOf, requestSlot, sendProblem } from '@wimse-pep/core/node';
import type { NextFunction, Request, Response } from 'express';

/** How one `wimse()` instance answers refusals. */
export interface Rendering {
  readonly passErrors: boolean;
  readonly exposeErrorDetail: boolean;
}

/** The rendering of the `wimse()` instance that last handled a request (for `wimseErrorHandler`). */
export const renderings = requestSlot<Rendering>('@wimse-pep/express.rendering');

/**
 * A WimseError is a decision: answered here as application/problem+json (or handed to Express's
 * error path with `passErrors`). Anything else is a fault and always takes Express's error path.
 * A client that hung up gets no answer (the guard audited it as aborted).
 */
export function refuse(error: unknown, res: Response, next: NextFunction, rendering: Rendering): void {
  if (isWimseError(error) && error.code === 'client_aborted') return;
  if (!isWimseError(error) || rendering.passErrors || res.headersSent) {
    next(error);
    return;
  }
  sendProblem(res, error, rendering.exposeErrorDetail);
}

/** The route label for audit: the route pattern when Express knows it, else the path. */
export function routeOf(req: Request): string {
  const pattern = req.route?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : pathOf(req.originalUrl);
}
