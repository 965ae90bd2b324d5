import type { IncomingMessage } from 'node:http';
import { WimseError } from '../base/errors/wimse-error.js';
import { createWorkloadGuard } from '../guard/create-workload-guard.js';
import type { ProtectionMode, RouteContext, WorkloadGuard, WorkloadGuardOptions } from '../guard/guard-options.js';
import type { WorkloadPolicy } from '../policy/types.js';
import { type BodySettings, bodySettings, type NodeAdapterOptions } from './adapter-options.js';
import { authenticateNodeRequest, type NodeDecision } from './authenticate-node-request.js';
import { requestSlot } from './request-slot.js';

/** What the PEP decided for one request: kept on it for the policies and the signing that follow. */
export interface NodePepDecision extends NodeDecision {
  readonly pep: NodePep;
}

/** What an adapter passes for one request: its target as received, the route, and its body as the framework holds it. */
export interface NodeRequestInput {
  /** Path and query exactly as received (the framework's original URL). */
  readonly target: string;
  readonly route: RouteContext;
  /** The raw body, when the framework holds it elsewhere; default: read from the request stream. */
  readonly readBody?: (() => Promise<Uint8Array | undefined>) | undefined;
}

/**
 * The framework-free half of a Node adapter (the way tRPC's adapters sit over one handler): a
 * guard with its body limits, one authentication per request kept on the request, and the route
 * policies that read it. An adapter translates its framework's request, route and errors.
 */
export interface NodePep {
  readonly guard: WorkloadGuard;
  readonly body: BodySettings;
  /**
   * Authenticates `req` once: a later PEP on the same request keeps an earlier decision unless it
   * requires an identity that the earlier one (a route `off` or `optional`) did not establish.
   * Resolves the decision, `fresh` when it was made now.
   */
  authenticate(req: IncomingMessage, input: NodeRequestInput): Promise<NodePepDecision & { readonly fresh: boolean }>;
}

const decisions = requestSlot<NodePepDecision>('@wimse-pep/core.node-decision');

/**
 * A Node PEP from an adapter's options, checked once; `factory` names the adapter's function in
 * messages, `consumedHint` says how to fix a body consumed by a parser before the PEP.
 */
export function createNodePep(
  options: WorkloadGuardOptions & NodeAdapterOptions,
  factory: string,
  consumedHint: string,
): NodePep {
  const guard = createWorkloadGuard(options);
  const body = bodySettings(options, factory);
  const pep: NodePep = {
    guard,
    body,
    async authenticate(req, input) {
      const earlier = decisions.get(req);
      const mode: ProtectionMode = input.route.mode ?? guard.mode;
      if (earlier && (earlier.identity !== undefined || mode !== 'required')) {
        // The earlier decision verified any Txn-Token the request carries; none means none came.
        if (input.route.transactionToken === 'required' && earlier.identity?.transaction === undefined) {
          throw new WimseError('txn_token_missing', 'this route requires a Txn-Token');
        }
        return { request: earlier.request, identity: earlier.identity, pep: earlier.pep, fresh: false };
      }
      const { request, identity } = await authenticateNodeRequest({
        guard,
        req,
        body,
        consumedHint,
        target: input.target,
        route: input.route,
        readBody: input.readBody,
      });
      // Object literals of known shape: a spread here cost microseconds per request (V8, Node 20).
      decisions.set(req, { request, identity, pep });
      return { request, identity, pep, fresh: true };
    },
  };
  return pep;
}

/** The decision a Node PEP made for `req`, if any. */
export function nodeDecision(req: IncomingMessage): NodePepDecision | undefined {
  return decisions.get(req);
}

/**
 * Runs a route policy on the decision made for `req` (an absent identity is a denial). Without a
 * decision no PEP ran before the policy: a configuration fault, refused (an Error: a 500).
 */
export async function authorizeNodeRequest(req: IncomingMessage, policy: WorkloadPolicy, route: string): Promise<void> {
  const decision = decisions.get(req);
  if (!decision) throw new Error('requireWorkload() needs the WIMSE middleware to run before it on this request');
  await decision.pep.guard.authorize(decision.identity, decision.request, policy, { route });
}
