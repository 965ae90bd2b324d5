import type { WorkloadPolicy } from '@wimse-pep/core';
import type { RequestHandler } from 'express';
import { decisions, refuse, routeOf } from './state.js';

const anyWorkload: WorkloadPolicy = () => true;

/**
 * Route middleware: the route needs an authenticated workload that `policy` allows (any workload
 * when no policy is given). A denial is 403 `policy_denied`; no answer within the guard's
 * `policyTimeoutMs` is a denial. It reads what `wimse()` decided for the request, so it must
 * come after it; without `wimse()` it fails closed with a 500.
 */
export function requireWorkload(policy: WorkloadPolicy = anyWorkload): RequestHandler {
  if (typeof policy !== 'function') throw new TypeError('requireWorkload needs a policy function');
  return (req, res, next) => {
    const decision = decisions.get(req);
    if (!decision) {
      next(new Error('requireWorkload() needs wimse() to run before it on this request'));
      return;
    }
    decision.guard.authorize(decision.identity, decision.request, policy, { route: routeOf(req) }).then(
      () => next(),
      (error: unknown) => refuse(error, res, next, decision.rendering),
    );
  };
}
