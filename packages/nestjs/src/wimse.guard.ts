import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { isWimseError } from '@wimse-pep/core';
import { type NodePep, nodeDecision } from '@wimse-pep/core/node';
import { rawRequestOf } from './decorators/workload.js';
import { WimseException } from './errors/wimse-exception.js';
import { refusals, verifiedRoutes } from './state.js';
import { WIMSE_PEP } from './tokens.js';

const NOT_VERIFIED =
  'WimseGuard: this request was not verified by WimseModule (use @UseGuards(WimseGuard) on the controller ' +
  'or handler, or WimseModule.forRoot({ global: true }), and import WimseModule in the root module)';

/**
 * The guard reads what the platform hook decided before any body parser ran: a refusal is thrown
 * as a `WimseException` (anything else as the fault it is: a 500), a decision lets the request
 * through. A request the hook never saw fails closed: the guard is used where the module cannot
 * verify (not imported, or the guard installed in a way the module does not know).
 */
@Injectable()
export class WimseGuard implements CanActivate {
  constructor(@Inject(WIMSE_PEP) private readonly pep: NodePep) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') throw new Error('WimseGuard protects HTTP routes only');
    const req = rawRequestOf(context);
    const route = verifiedRoutes.get(req);
    if (!route) throw new Error(NOT_VERIFIED);
    // The hook matched the route before Nest did: a request verified for another handler's
    // settings (a routing difference the hook did not foresee) fails closed.
    const handler = context.getHandler() as (typeof route.methods)[number];
    const controller = context.getClass() as (typeof route.controllers)[number];
    if (!route.methods.includes(handler) || !route.controllers.includes(controller)) {
      throw new Error(`WimseGuard: ${route.label} was verified for another handler than the one Nest runs`);
    }
    const refusal = refusals.get(req);
    if (refusal) {
      const { error } = refusal;
      if (isWimseError(error)) throw new WimseException(error, this.pep.guard.exposeErrorDetail);
      throw error;
    }
    if (!nodeDecision(req)) throw new Error(NOT_VERIFIED);
    return true;
  }
}
