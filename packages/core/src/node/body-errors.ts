import { WimseError } from '../base/errors/wimse-error.js';

/** How long the adapters wait for a body by default, in ms (`bodyTimeoutMs`). */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

/**
 * The body did not arrive in time. `Connection: close` makes Node close the socket once the 408
 * is written, instead of keeping it for a body that may never come.
 */
export function bodyTimeout(timeoutMs: number): WimseError {
  return new WimseError('body_timeout', `the request body did not arrive within ${timeoutMs} ms`, {
    headers: { connection: 'close' },
  });
}

/** The client went away before its body was complete: its own outcome, never a dependency failure. */
export function clientAborted(cause?: unknown): WimseError {
  return new WimseError('client_aborted', 'the client closed the connection before its body was received', {
    cause,
  });
}

/** The body is larger than the adapter buffers for the digest check. */
export function bodyTooLarge(limit: number): WimseError {
  return new WimseError('body_too_large', `the request body exceeds ${limit} bytes`);
}
