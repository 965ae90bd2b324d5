import type { WorkloadPolicy } from '@wimse-pep/core';
import type { Middleware } from 'koa';
import { decisions, refuse, routeOf } from './state.js';

/**
 * Route middleware: requires the workload verified by `wimse()` and, when given, a policy that
 * allows it (anything but `true`, an error or a timeout is 403 `policy_denied`). Without a
 * `wimse()` before it, it fails closed.
 */
export function requireWorkload(policy: WorkloadPolicy = () => true): Middleware {
  if (typeof policy !== 'function') throw new TypeError('requireWorkload takes a policy function');
  return async (ctx, next) => {
    const decision = decisions.get(ctx.req);
    // A configuration fault, not a decision: Koa's error handling answers 500.
    if (!decision) throw new Error('requireWorkload() runs without wimse() before it');
    try {
      await decision.guard.authorize(decision.identity, decision.request, policy, { route: routeOf(ctx) });
    } catch (error) {
      refuse(ctx, error, decision.guard.exposeErrorDetail);
      return;
    }
    await next();
  };
}
