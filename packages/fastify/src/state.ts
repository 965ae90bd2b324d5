import { isWimseError, type WorkloadPolicy } from '@wimse-pep/core';
import { problemResponse, requestSlot } from '@wimse-pep/core/node';
import type { FastifyReply } from 'fastify';

/** Policies added by `requireWorkload` in `onRequest`, before authentication has run. */
export const pendingPolicies = requestSlot<readonly WorkloadPolicy[]>('@wimse-pep/fastify.pending-policies');

/**
 * A WIMSE refusal is a decision, answered here as application/problem+json, so that no error
 * handler renders it differently (threat O4) and no user `setErrorHandler` has to be replaced; the
 * hook's `done` is deliberately not called. Anything else is a fault and takes Fastify's error path.
 */
export function refuse(reply: FastifyReply, error: unknown, exposeDetail: boolean, done: (error: Error) => void): void {
  if (!isWimseError(error)) {
    done(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  // The client is gone: there is no one to answer (the guard has audited it as aborted).
  if (error.code === 'client_aborted') return;
  const problem = problemResponse(error, exposeDetail);
  reply.code(problem.status).headers(problem.headers).send(problem.body);
}
