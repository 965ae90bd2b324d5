import type { WorkloadGuard, WorkloadIdentity, WorkloadRequest } from '@wimse-pep/core';
import { signNodeResponse } from '@wimse-pep/core/node';
import type { Context } from 'koa';

/**
 * Runs after the handler: signs status, headers and the bytes Koa will send (`ctx.body` as Koa
 * serializes it) with the service's own WIT. A streamed body or a failing signer replaces the
 * response with a 501 problem: never a successful unsigned response.
 */
export async function signResponseAfterHandler(
  ctx: Context,
  guard: WorkloadGuard,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
): Promise<void> {
  const response = { status: ctx.status, headers: ctx.response.headers, body: ctx.body };
  const signed = await signNodeResponse(guard, identity, request, response);
  if ('problem' in signed) {
    for (const name of Object.keys(ctx.response.headers)) ctx.remove(name);
    ctx.status = signed.problem.status;
    ctx.set(signed.problem.headers);
    ctx.body = signed.problem.body;
    return;
  }
  if (signed.body !== undefined) ctx.body = Buffer.from(signed.body); // keeps ctx.type as the handler set it
  ctx.set(signed.headers);
}
