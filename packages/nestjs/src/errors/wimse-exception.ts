import { HttpException } from '@nestjs/common';
import type { WimseError } from '@wimse-pep/core';
import { type ProblemResponse, problemResponse } from '@wimse-pep/core/node';

/**
 * A WIMSE refusal as a Nest exception: `WimseGuard` throws it, so the application's exception
 * filters see a typed exception (`@Catch(WimseException)`), with the core's `code`, status and
 * header fields; `WimseExceptionFilter` renders it as application/problem+json.
 */
export class WimseException extends HttpException {
  /** The stable refusal code (`wit_missing`, `policy_denied`, ...). */
  readonly code: string;
  /** The rendering other adapters send: status, `WWW-Authenticate`/`Accept-Signature`, problem body. */
  readonly problem: ProblemResponse;

  constructor(
    readonly error: WimseError,
    exposeErrorDetail: boolean,
  ) {
    const problem = problemResponse(error, exposeErrorDetail);
    super(JSON.parse(problem.body) as Record<string, unknown>, problem.status, { cause: error });
    this.code = error.code;
    this.problem = problem;
  }
}
