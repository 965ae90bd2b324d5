import type { IncomingMessage } from 'node:http';
import { isWimseError, WimseError } from '../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { RouteContext, WorkloadGuard } from '../guard/guard-options.js';
import type { WorkloadIdentity } from '../identity/workload-identity.js';
import type { BodySettings } from './adapter-options.js';
import { nodeWorkloadRequest } from './node-request.js';
import { bodyWasConsumed, obtainRawBody } from './raw-request-body.js';

/** One Node request to authenticate: the guard, the request, its target and route, and how to obtain its raw body. */
export interface NodeAuthentication {
  readonly guard: WorkloadGuard;
  readonly req: IncomingMessage;
  /** Path and query exactly as received (the framework's original URL). */
  readonly target: string;
  readonly route: RouteContext;
  readonly body: BodySettings;
  /** The raw body, when the framework holds it elsewhere; default: read from the request stream. */
  readonly readBody?: (() => Promise<Uint8Array | undefined>) | undefined;
  /** What a `body_unavailable` says when a body parser consumed the body first: the fix. */
  readonly consumedHint: string;
}

/** The outcome of an authenticated Node request: the request as verified and the caller's identity (undefined when the route needed none). */
export interface NodeDecision {
  readonly request: WorkloadRequest;
  readonly identity: WorkloadIdentity | undefined;
}

/**
 * One Node request through the guard, the way every adapter does it: the plain-data request, the
 * raw body read only if and when the guard needs it (after the credentials held), and a body
 * consumed by a parser before the PEP answered with the configuration fix.
 */
export async function authenticateNodeRequest(input: NodeAuthentication): Promise<NodeDecision> {
  const { req, body } = input;
  const request = nodeWorkloadRequest(req, input.target);
  const readBody = input.readBody ?? (() => obtainRawBody(req, body.limit, body.timeoutMs));
  try {
    return { request, identity: await input.guard.authenticate(request, input.route, readBody) };
  } catch (error) {
    if (isWimseError(error) && error.code === 'body_unavailable' && bodyWasConsumed(req)) {
      throw new WimseError('body_unavailable', input.consumedHint, { cause: error });
    }
    throw error;
  }
}
