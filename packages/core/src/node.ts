/**
 * `@wimse-pep/core/node`: what an adapter author needs from Node, once: the request's fields and
 * transport, its raw body read within limits and given back to the framework, one authentication
 * the way every adapter does it, route settings, problem responses and signed responses. An adapter
 * built on these only translates its framework.
 */
export {
  type BodySettings,
  bodySettings,
  booleanOption,
  DEFAULT_BODY_LIMIT,
  type NodeAdapterOptions,
} from './node/adapter-options.js';
export {
  authenticateNodeRequest,
  type NodeAuthentication,
  type NodeDecision,
} from './node/authenticate-node-request.js';
export { bodyTimeout, bodyTooLarge, clientAborted, DEFAULT_BODY_TIMEOUT_MS } from './node/body-errors.js';
export {
  authorizeNodeRequest,
  createNodePep,
  type NodePep,
  type NodePepDecision,
  type NodeRequestInput,
  nodeDecision,
} from './node/node-pep.js';
export { nodeWorkloadRequest } from './node/node-request.js';
export { type ProblemResponse, problemResponse } from './node/problem-response.js';
export { bodyWasConsumed, obtainRawBody, rememberRawBody, takeCompleteBody } from './node/raw-request-body.js';
export { type BodyRead, readBodyStream } from './node/read-body-stream.js';
export { type NodeRequestHeaders, requestFields } from './node/request-fields.js';
export { type RequestSlot, requestSlot } from './node/request-slot.js';
export { requestTransport } from './node/request-transport.js';
export { checkRouteConfig, pathOf, type RouteConfig, type RouteSetting, routeSetting } from './node/route-setting.js';
export { sendProblem } from './node/send-problem.js';
export { type OutgoingResponse, type SignedNodeResponse, signNodeResponse } from './node/sign-node-response.js';
export { signOnEnd } from './node/sign-on-end.js';
export { type PayloadReply, signReplyPayload } from './node/sign-reply-payload.js';
