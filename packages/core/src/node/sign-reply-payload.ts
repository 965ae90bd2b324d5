import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { WorkloadGuard } from '../guard/guard-options.js';
import type { WorkloadIdentity } from '../identity/workload-identity.js';
import { signNodeResponse } from './sign-node-response.js';

/** The reply of a framework with a send hook that hands over the final payload (Fastify's `onSend`). */
export interface PayloadReply {
  readonly statusCode: number;
  /** The header fields set so far. */
  getHeaders(): Readonly<Record<string, unknown>>;
  /** Sets header fields. */
  headers(values: Record<string, string>): unknown;
  /** Sets the status. */
  code(status: number): unknown;
  /** Removes a header field. */
  removeHeader(name: string): unknown;
}

/**
 * Signs a reply in its send hook, where the payload is final, so the digest and signature cover
 * exactly the bytes sent; resolves the payload to send. A payload that cannot be signed (a stream)
 * or a failing signer turns the reply into a 501 problem: never a successful unsigned response.
 */
export async function signReplyPayload(
  guard: WorkloadGuard,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
  reply: PayloadReply,
  payload: unknown,
): Promise<unknown> {
  const signed = await signNodeResponse(guard, identity, request, {
    status: reply.statusCode,
    headers: reply.getHeaders(),
    body: payload,
  });
  if (!('problem' in signed)) {
    reply.headers(signed.headers);
    return payload;
  }
  reply.code(signed.problem.status);
  reply.headers(signed.problem.headers);
  reply.removeHeader('content-length');
  return signed.problem.body;
}
