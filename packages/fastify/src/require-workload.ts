import type { WorkloadPolicy } from '@wimse-pep/core';
import { authorizeNodeRequest, nodeDecision, pathOf } from '@wimse-pep/core/node';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { pendingPolicies, refuse } from './state.js';

export type WorkloadHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/**
 * A hook that applies `policy` to the authenticated caller, for those who prefer hooks to
 * `config.wimse.policy`. Works as `onRequest` (the policy is queued and runs right after
 * authentication, before the body is parsed), `preValidation` or `preHandler`.
 */
export function requireWorkload(policy: WorkloadPolicy): WorkloadHook {
  if (typeof policy !== 'function') throw new TypeError('requireWorkload needs a policy function');
  return (request, reply, done) => {
    const decision = nodeDecision(request.raw);
    if (decision) {
      authorizeNodeRequest(request.raw, policy, request.routeOptions.url ?? pathOf(request.originalUrl)).then(
        () => done(),
        (error: unknown) => refuse(reply, error, decision.pep.guard.exposeErrorDetail, done),
      );
      return;
    }
    if (!request.server.hasDecorator('wimse')) {
      // Fail closed: without the plugin nothing would ever enforce the policy.
      done(new Error('requireWorkload is used where @wimse-pep/fastify is not registered'));
      return;
    }
    pendingPolicies.set(request, [...(pendingPolicies.get(request) ?? []), policy]);
    done();
  };
}
