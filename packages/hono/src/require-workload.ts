import type { WorkloadPolicy } from '@wimse-pep/core';
import type { MiddlewareHandler } from 'hono';
import { decisions } from './decision.js';
import { refuse } from './problem.js';
import type { WimseEnv } from './wimse.js';

/**
 * Route middleware: the route needs an authenticated workload that `policy` allows (any workload
 * when none is given); a denial is 403 `policy_denied`. It reads what `wimse()` decided, so it
 * comes after it; without `wimse()` it fails closed (an Error: Hono's 500).
 */
export function requireWorkload(policy: WorkloadPolicy = () => true): MiddlewareHandler<WimseEnv> {
  if (typeof policy !== 'function') throw new TypeError('requireWorkload needs a policy function');
  return async (c, next) => {
    const decision = decisions.get(c.req.raw);
    if (!decision) throw new Error('requireWorkload() needs wimse() to run before it on this request');
    try {
      await decision.guard.authorize(decision.identity, decision.request, policy, { route: c.req.path });
    } catch (error) {
      return refuse(c, error, decision.guard.exposeErrorDetail);
    }
    await next();
  };
}
