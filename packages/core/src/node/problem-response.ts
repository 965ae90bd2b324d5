import type { WimseError } from '../base/errors/wimse-error.js';

/** An RFC 9457 problem as a Node response: status, header fields, and the JSON body. */
export interface ProblemResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The response of a refusal: the core's status, its header fields (`WWW-Authenticate`,
 * `Accept-Signature`, `Retry-After`) and an application/problem+json body with the coarse title
 * only (threat O4), the detail when `exposeErrorDetail` is set, or always for `body_unavailable`
 * (a server configuration fault whose detail tells the developer the fix).
 */
export function problemResponse(error: WimseError, exposeErrorDetail: boolean): ProblemResponse {
  const exposeDetail = exposeErrorDetail || error.code === 'body_unavailable';
  return {
    status: error.status,
    headers: { ...error.headers, 'content-type': 'application/problem+json' },
    body: JSON.stringify(error.toProblem({ exposeDetail })),
  };
}
