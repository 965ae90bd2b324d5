import { isWimseError } from '@wimse-pep/core';
import type { ErrorRequestHandler } from 'express';
import { refuse, renderings } from './state.js';

/**
 * Renders WimseErrors that reached Express's error path (`wimse({ passErrors: true })`) as
 * application/problem+json with the core's status; every other error goes to the next handler.
 * The detail is shown only when the `wimse()` that refused was created with `exposeErrorDetail`.
 */
export function wimseErrorHandler(): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (!isWimseError(error) || res.headersSent) {
      next(error);
      return;
    }
    refuse(error, res, next, { passErrors: false, exposeErrorDetail: renderings.get(req)?.exposeErrorDetail === true });
  };
}
