import {
  isWimseError,
  type RouteContext,
  requestSlot,
  type WimseError,
  type WorkloadGuard,
  type WorkloadIdentity,
  type WorkloadRequest,
} from '@wimse-pep/core';
import type { NextFunction, Request, Response } from 'express';

/** How one `wimse()` instance answers refusals. */
export interface Rendering {
  readonly passErrors: boolean;
  readonly exposeErrorDetail: boolean;
}

/** What the first `wimse()` middleware a request met decided, for `requireWorkload`. */
export interface Decision {
  readonly guard: WorkloadGuard;
  readonly request: WorkloadRequest;
  readonly identity: WorkloadIdentity | undefined;
  readonly rendering: Rendering;
}

export const decisions = requestSlot<Decision>('@wimse-pep/express.decision');
/** The rendering of the `wimse()` instance that last handled a request (for `wimseErrorHandler`). */
export const renderings = requestSlot<Rendering>('@wimse-pep/express.rendering');

/**
 * A WimseError is a decision: answered here as application/problem+json (or handed to Express's
 * error path with `passErrors`). Anything else is a fault and always takes Express's error path.
 */
export function refuse(error: unknown, res: Response, next: NextFunction, rendering: Rendering): void {
  // The client is gone: there is no one to answer (the guard has audited it as aborted).
  if (isWimseError(error) && error.code === 'client_aborted') return;
  if (!isWimseError(error) || rendering.passErrors || res.headersSent) {
    next(error);
    return;
  }
  sendProblem(res, error, rendering.exposeErrorDetail);
}

export function sendProblem(res: Response, error: WimseError, exposeErrorDetail: boolean): void {
  // body_unavailable is a server configuration fault whose detail tells the developer the fix;
  // it says nothing about the caller's credentials, so it is always shown.
  const exposeDetail = exposeErrorDetail || error.code === 'body_unavailable';
  res.set(error.headers);
  res.status(error.status).type('application/problem+json').json(error.toProblem({ exposeDetail }));
}

/** The route label for audit: the route pattern when Express knows it, else the path. */
export function routeOf(req: Request): RouteContext['route'] {
  const pattern = req.route?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  const target = req.originalUrl;
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}
