import type { WorkloadPolicy } from '@wimse-pep/core';
import { authorizeNodeRequest, nodeDecision } from '@wimse-pep/core/node';
import type { Middleware } from 'koa';
import { refuse, routeOf } from './state.js';

/**
 * Route middleware: requires the workload verified by `wimse()` and, when given, a policy that
 * allows it (anything but `true`, an error or a timeout is 403 `policy_denied`). Without a
 * `wimse()` before it, it fails closed through Koa's error handling (500).
 */
export function requireWorkload(policy: WorkloadPolicy = () => true): Middleware {
  if (typeof policy !== 'function') throw new TypeError('requireWorkload takes a policy function');
  return async (ctx, next) => {
    try {
      await authorizeNodeRequest(ctx.req, policy, routeOf(ctx));
    } catch (error) {
      refuse(ctx, error, nodeDecision(ctx.req)?.pep.guard.exposeErrorDetail === true);
      return;
    }
    await next();
  };
}
