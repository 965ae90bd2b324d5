import type { IncomingMessage } from 'node:http';
import type { RouteContext } from '@wimse-pep/core';
import { authorizeNodeRequest, type NodePep, type NodePepDecision } from '@wimse-pep/core/node';
import type { RouteInfo } from './route-info.js';
import { verifiedRoutes } from './state.js';

/**
 * Everything the platform hook decides for a guarded route, before any body parser: the
 * authentication (the body read only once the credentials hold, within the limits) and the route's
 * policies, so a denied caller never makes the server read or parse a body.
 */
export async function verifyRequest(
  pep: NodePep,
  req: IncomingMessage,
  info: RouteInfo,
  route: string,
  target: string,
  readBody?: () => Promise<Uint8Array | undefined>,
): Promise<NodePepDecision & { readonly fresh: boolean }> {
  const context: RouteContext = {
    route,
    mode: info.setting?.protection,
    migration: info.setting?.migration,
    transactionToken: info.setting?.transactionToken,
    unboundTransactionToken: info.setting?.unboundTransactionToken,
  };
  verifiedRoutes.set(req, info);
  const decision = await pep.authenticate(req, { target, route: context, readBody });
  for (const policy of info.policies) await authorizeNodeRequest(req, policy, route);
  return decision;
}
