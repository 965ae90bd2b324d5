import {
  isWimseError,
  type RouteContext,
  requestSlot,
  type WorkloadGuard,
  type WorkloadIdentity,
  type WorkloadPolicy,
  type WorkloadRequest,
} from '@wimse-pep/core';
import type { FastifyReply } from 'fastify';

/** What the plugin learned about one request, for policies that run in later hooks. */
export interface Authenticated {
  readonly guard: WorkloadGuard;
  readonly request: WorkloadRequest;
  readonly identity: WorkloadIdentity | undefined;
  readonly route: RouteContext;
}

export const authenticated = requestSlot<Authenticated>('@wimse-pep/fastify.authenticated');
/** Policies added by `requireWorkload` in `onRequest`, before authentication has run. */
export const pendingPolicies = requestSlot<readonly WorkloadPolicy[]>('@wimse-pep/fastify.pending-policies');
/** The instance decoration holding the guard, so helpers can tell whether the plugin is in scope. */
export const guardKey = Symbol.for('@wimse-pep/fastify.guard');

/**
 * A WIMSE refusal is a decision, answered here as application/problem+json, so that no error
 * handler can render it differently (e.g. with the detailed reason, threat O4) and no user
 * `setErrorHandler` has to be replaced. The hook's `done` is deliberately not called: the
 * lifecycle stops at the sent reply. Anything else is a fault and takes Fastify's error path.
 */
export function refuse(reply: FastifyReply, error: unknown, exposeDetail: boolean, done: (error: Error) => void): void {
  if (!isWimseError(error)) {
    done(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  // The client is gone: there is no one to answer (the guard has audited it as aborted).
  if (error.code === 'client_aborted') return;
  reply.headers(error.headers);
  reply.code(error.status).type('application/problem+json').send(error.toProblem({ exposeDetail }));
}
