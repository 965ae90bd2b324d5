import {
  isWimseError,
  requestSlot,
  type WorkloadGuard,
  type WorkloadIdentity,
  type WorkloadRequest,
} from '@wimse-pep/core';
import type { Context } from 'koa';

/** What the first `wimse()` middleware a request met decided, for `requireWorkload`. */
export interface Decision {
  readonly guard: WorkloadGuard;
  readonly request: WorkloadRequest;
  readonly identity: WorkloadIdentity | undefined;
}

export const decisions = requestSlot<Decision>('@wimse-pep/koa.decision');

/**
 * A WimseError is a decision: answered here as application/problem+json. Anything else is a fault
 * and is rethrown to Koa's own error handling.
 */
export function refuse(ctx: Context, error: unknown, exposeErrorDetail: boolean): void {
  if (!isWimseError(error)) throw error;
  // The client is gone: there is no one to answer (the guard has audited it as aborted).
  if (error.code === 'client_aborted') return;
  // body_unavailable is a server configuration fault whose detail tells the developer the fix.
  const exposeDetail = exposeErrorDetail || error.code === 'body_unavailable';
  ctx.status = error.status;
  ctx.set(error.headers);
  ctx.body = JSON.stringify(error.toProblem({ exposeDetail }));
  ctx.type = 'application/problem+json';
}

/** The route label for audit: the matched route pattern when @koa/router set one, else the path. */
export function routeOf(ctx: Context): string {
  const pattern = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  return typeof pattern === 'string' ? pattern : ctx.path;
}
