import { errorCodes, problemTypeFor, type WimseErrorCode } from './codes.js';

/** An RFC 9457 problem details object. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: WimseErrorCode;
  detail?: string;
  instance?: string;
}

/**
 * The one error type of the verifier. `code` is stable and machine-readable; `message` is a
 * detailed reason for logs and audit (it never contains a token, signature or key); the problem
 * object sent to clients carries the coarse title only unless `exposeDetail` is asked for, so a
 * forger learns little about which check failed (threat O4).
 */
export class WimseError extends Error {
  override readonly name = 'WimseError';
  readonly code: WimseErrorCode;
  readonly status: number;
  /**
   * Response header fields that belong to this refusal (`Retry-After` on a 503, `WWW-Authenticate`
   * on a 401, `Accept-Signature`): adapters send them with the problem body. Never secret.
   */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: WimseErrorCode,
    message: string,
    options?: { cause?: unknown; headers?: Readonly<Record<string, string>> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = errorCodes[code].status;
    this.headers = Object.freeze({ ...options?.headers });
  }

  /** The same refusal with more response header fields (later values win). */
  withHeaders(headers: Readonly<Record<string, string>>): WimseError {
    return new WimseError(this.code, this.message, { cause: this.cause, headers: { ...this.headers, ...headers } });
  }

  /** The error as an RFC 9457 problem body: `type`, `title`, `status`, `code`; `detail` only with `exposeDetail` (details may name what the caller sent). */
  toProblem(options: { exposeDetail?: boolean; instance?: string; typeBase?: string } = {}): ProblemDetails {
    const problem: ProblemDetails = {
      type: problemTypeFor(this.code, options.typeBase),
      title: errorCodes[this.code].title,
      status: this.status,
      code: this.code,
    };
    if (options.exposeDetail) problem.detail = this.message;
    if (options.instance !== undefined) problem.instance = options.instance;
    return problem;
  }
}

/** Whether a value is a {@link WimseError} (any refusal or dependency failure of wimse-pep). */
export function isWimseError(value: unknown): value is WimseError {
  return value instanceof WimseError;
}
