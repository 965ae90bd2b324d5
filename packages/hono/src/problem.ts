import { isWimseError, type WimseError } from '@wimse-pep/core';
import type { Context } from 'hono';

/**
 * A refusal as an RFC 9457 application/problem+json Response: the core's status and header fields
 * (`WWW-Authenticate`, `Accept-Signature`, `Retry-After`), the coarse title only unless
 * `exposeErrorDetail` (always the detail of `body_unavailable`, a configuration fault whose detail
 * is the fix).
 */
export function problemResponse(error: WimseError, exposeErrorDetail: boolean): Response {
  const exposeDetail = exposeErrorDetail || error.code === 'body_unavailable';
  return new Response(JSON.stringify(error.toProblem({ exposeDetail })), {
    status: error.status,
    headers: { ...error.headers, 'content-type': 'application/problem+json' },
  });
}

/**
 * A WimseError is a decision, answered here; anything else is a fault and goes to Hono's
 * `onError` (rethrown). A client that hung up gets an empty response nobody reads.
 */
export function refuse(c: Context, error: unknown, exposeErrorDetail: boolean): Response {
  if (!isWimseError(error)) throw error;
  if (error.code === 'client_aborted') return new Response(null, { status: 499 });
  c.res = problemResponse(error, exposeErrorDetail);
  return c.res;
}
