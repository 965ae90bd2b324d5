import type { WorkloadGuard, WorkloadIdentity, WorkloadRequest } from '@wimse-pep/core';
import { signNodeResponse } from '@wimse-pep/core/node';
import type { FastifyReply } from 'fastify';

/**
 * `onSend`: the payload is final here, so the digest and signature cover exactly the bytes sent.
 * A payload that cannot be signed (a stream) or a failing signer turns the reply into a 501
 * problem: never a successful unsigned response.
 */
export async function signResponseOnSend(
  guard: WorkloadGuard,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
  reply: FastifyReply,
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
  reply.code(signed.problem.status).headers(signed.problem.headers);
  reply.removeHeader('content-length');
  return signed.problem.body;
}
