import { isWimseError, type WorkloadGuard, type WorkloadIdentity, type WorkloadRequest } from '@wimse-pep/core';
import type { Response } from 'express';

type Chunk = string | Uint8Array;

/**
 * Holds back the response of a request whose caller required a signed response, then signs the
 * final status, headers and body bytes with the service's own WIT before anything is sent. Express
 * has no "before send" hook, so `write`/`end` are wrapped for this one response only. If signing
 * fails, a 501 problem replaces the response; if the handler flushed its headers itself, the
 * connection is destroyed: never a successful unsigned response.
 */
export function signResponseOnEnd(
  res: Response,
  guard: WorkloadGuard,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
): void {
  const chunks: Buffer[] = [];
  const end = res.end.bind(res);
  const collect = (chunk: unknown, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, enc) : Buffer.from(chunk as Chunk));
  };
  res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    collect(chunk, encoding);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as Response['write'];
  res.end = ((chunk?: unknown, encoding?: unknown) => {
    collect(chunk, encoding);
    const body = Buffer.concat(chunks);
    const headers = res.getHeaders() as Record<string, string | string[]>;
    guard
      .signResponse(identity, request, { status: res.statusCode, headers: stringHeaders(headers), body })
      .then(
        (added) => {
          if (res.headersSent) throw new Error('headers were flushed before the response could be signed');
          for (const [name, value] of Object.entries(added ?? {})) res.setHeader(name, value);
          end(body);
        },
        (error: unknown) => {
          if (!isWimseError(error) || res.headersSent) throw error;
          const problem = JSON.stringify(error.toProblem({ exposeDetail: guard.exposeErrorDetail }));
          res.statusCode = error.status;
          for (const name of res.getHeaderNames()) res.removeHeader(name);
          res.setHeader('content-type', 'application/problem+json');
          res.setHeader('content-length', Buffer.byteLength(problem));
          end(problem);
        },
      )
      .catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
    return res;
  }) as Response['end'];
}

function stringHeaders(headers: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}
