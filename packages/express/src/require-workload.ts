import type { WorkloadPolicy } from '@wimse-pep/core';
import { authorizeNodeRequest } from '@wimse-pep/core/node';
import type { RequestHandler } from 'express';
import { refuse, renderings, routeOf } from './state.js';

const FAULT = { passErrors: true, exposeErrorDetail: false };

/**
 * Route middleware: the route needs an authenticated workload that `policy` allows (any workload
 * when no policy is given). A denial is 403 `policy_denied`; no answer within the guard's
 * `policyTimeoutMs` is a denial. It reads what `wimse()` decided, so it must come after it;
 * without `wimse()` it fails closed with a 500.
 */
export function requireWorkload(policy: WorkloadPolicy = () => true): RequestHandler {
  if (typeof policy !== 'function') throw new TypeError('requireWorkload needs a policy function');
  return (req, res, next) => {
    authorizeNodeRequest(req, policy, routeOf(req)).then(
      () => next(),
      (error: unknown) => refuse(error, res, next, renderings.get(req) ?? FAULT),
    );
  };
}
