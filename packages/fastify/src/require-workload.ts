import type { WorkloadPolicy } from '@wimse-pep/core';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { authenticated, guardKey, pendingPolicies, refuse } from './state.js';

export type WorkloadHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/**
 * A hook that applies `policy` to the authenticated caller, for those who prefer hooks to
 * `config.wimse.policy`. Works as `onRequest` (the policy is queued and runs right after
 * authentication, before the body is parsed), `preValidation` or `preHandler`.
 */
export function requireWorkload(policy: WorkloadPolicy): WorkloadHook {
  if (typeof policy !== 'function') throw new TypeError('requireWorkload needs a policy function');
  return (request, reply, done) => {
    const state = authenticated.get(request);
    if (state) {
      state.guard.authorize(state.identity, state.request, policy, state.route).then(
        () => done(),
        (error: unknown) => refuse(reply, error, state.guard.exposeErrorDetail, done),
      );
      return;
    }
    if (!(guardKey in request.server)) {
      // Fail closed: without the plugin nothing would ever enforce the policy.
      done(new Error('requireWorkload is used where @wimse-pep/fastify is not registered'));
      return;
    }
    pendingPolicies.set(request, [...(pendingPolicies.get(request) ?? []), policy]);
    done();
  };
}
