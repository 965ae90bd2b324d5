import type { ServerResponse } from 'node:http';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { WorkloadGuard } from '../guard/guard-options.js';
import type { WorkloadIdentity } from '../identity/workload-identity.js';
import { signNodeResponse } from './sign-node-response.js';

/**
 * Holds back a node:http response whose caller required a signature, then signs its final status,
 * headers and body bytes before anything is sent: `write`/`end` are wrapped for this one response
 * (node:http has no "before send" hook). A failed signature is a 501 problem in its place; if the
 * handler flushed its headers itself, the connection is destroyed: never an unsigned success.
 */
export function signOnEnd(
  res: ServerResponse,
  guard: WorkloadGuard,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
): void {
  const chunks: Buffer[] = [];
  const end = res.end.bind(res) as (body?: Buffer | string) => ServerResponse;
  const collect = (chunk: unknown, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, enc) : Buffer.from(chunk as Uint8Array));
  };
  res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    collect(chunk, encoding);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, encoding?: unknown) => {
    collect(chunk, encoding);
    const body = Buffer.concat(chunks);
    signNodeResponse(guard, identity, request, { status: res.statusCode, headers: res.getHeaders(), body })
      .then((signed) => {
        if (res.headersSent) throw new Error('headers were flushed before the response could be signed');
        if ('problem' in signed) {
          for (const name of res.getHeaderNames()) res.removeHeader(name);
          res.statusCode = signed.problem.status;
          for (const [name, value] of Object.entries(signed.problem.headers)) res.setHeader(name, value);
          res.setHeader('content-length', Buffer.byteLength(signed.problem.body));
          end(signed.problem.body);
          return;
        }
        for (const [name, value] of Object.entries(signed.headers)) res.setHeader(name, value);
        end(body);
      })
      .catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
    return res;
  }) as ServerResponse['end'];
}
