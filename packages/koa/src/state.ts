import { isWimseError } from '@wimse-pep/core';
import { problemResponse } from '@wimse-pep/core/node';
import type { Context } from 'koa';

/**
 * A WimseError is a decision: answered here as application/problem+json (a client that hung up gets
 * no answer). Anything else is a fault and is rethrown to Koa's own error handling.
 */
export function refuse(ctx: Context, error: unknown, exposeErrorDetail: boolean): void {
  if (!isWimseError(error)) throw error;
  if (error.code === 'client_aborted') return;
  const problem = problemResponse(error, exposeErrorDetail);
  ctx.status = problem.status;
  ctx.set(problem.headers);
  ctx.body = problem.body;
}

/** The route label for audit: the matched route pattern when @koa/router set one, else the path. */
export function routeOf(ctx: Context): string {
  const pattern = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  return typeof pattern === 'string' ? pattern : ctx.path;
}
