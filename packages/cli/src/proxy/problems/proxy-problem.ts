import type { ServerResponse } from 'node:http';

/** The sidecar's own refusals, beside the core's codes; the same problem+json shape. */
export const proxyErrorCodes = {
  /** Content-Length with Transfer-Encoding, two lengths, a line break in a field: refused, never forwarded. */
  request_ambiguous: { status: 400, title: 'Request framing is ambiguous' },
  /** Dot segments, `//`, encoded slashes: a path whose meaning depends on who normalises it. */
  target_not_normal: { status: 400, title: 'Request target is not in normal form' },
  /** The upstream refused the connection or broke it before answering. */
  upstream_unreachable: { status: 502, title: 'Upstream unreachable' },
  /** The upstream did not answer within `upstream.timeoutMs`. */
  upstream_timeout: { status: 503, title: 'Upstream did not answer in time' },
  /** The sidecar is shutting down: the request was not started. */
  shutting_down: { status: 503, title: 'Shutting down' },
  internal_error: { status: 500, title: 'Internal error' },
} as const;

export type ProxyErrorCode = keyof typeof proxyErrorCodes;

export const proxyProblemTypeBase = 'https://www.npmjs.com/package/@wimse-pep/cli#';

export function proxyProblemBody(code: ProxyErrorCode, detail?: string): string {
  const { status, title } = proxyErrorCodes[code];
  return JSON.stringify({
    type: `${proxyProblemTypeBase}${code.replaceAll('_', '-')}`,
    title,
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
  });
}

/** Answers with one of the sidecar's own problems; `close` ends the connection after it. */
export function sendProxyProblem(res: ServerResponse, code: ProxyErrorCode, detail?: string, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = proxyProblemBody(code, detail);
  res.statusCode = proxyErrorCodes[code].status;
  res.setHeader('content-type', 'application/problem+json');
  res.setHeader('content-length', Buffer.byteLength(body));
  if (close || proxyErrorCodes[code].status === 503) res.setHeader('connection', 'close');
  if (code === 'upstream_timeout' || code === 'shutting_down') res.setHeader('retry-after', '1');
  res.end(body);
}
