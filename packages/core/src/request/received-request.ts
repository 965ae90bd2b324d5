import { type FieldIndex, indexFields } from '../base/fields/field-index.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { type HopTrust, type PresentedCredentials, presentedCredentials } from './presented-credentials.js';

/**
 * A request prepared once at the pipeline's entry: its fields indexed by name (every later lookup
 * is one property read, no step re-scans the headers), and what it carries decided before anything
 * is verified. It is a WorkloadRequest itself, so a verifier of the caller's own making takes it.
 */
export interface ReceivedRequest extends WorkloadRequest {
  readonly headers: FieldIndex;
  readonly presented: PresentedCredentials;
  readonly [PREPARED]: true;
}

const PREPARED: unique symbol = Symbol('wimse-pep.received-request');

/**
 * Prepares `request` (once: a prepared request is returned as it is). `readBody`, when given,
 * replaces the request's own reader. A request that is not the plain data a WorkloadRequest is
 * (no method, target or header record, a body that is not bytes) is a TypeError: an adapter fault.
 */
export function receiveRequest(
  request: WorkloadRequest,
  hops: HopTrust,
  readBody?: () => Promise<Uint8Array | undefined>,
): ReceivedRequest {
  if (isReceived(request)) return readBody === undefined ? request : { ...request, readBody };
  assertRequestShape(request);
  const headers = indexFields(request.headers);
  const reader = readBody ?? request.readBody;
  const received = {
    method: request.method,
    target: request.target,
    headers,
    body: request.body,
    readBody: reader,
    transport: request.transport,
    presented: presentedCredentials(headers, request.transport, hops),
    [PREPARED]: true as const,
  };
  return received;
}

function isReceived(request: WorkloadRequest): request is ReceivedRequest {
  return (request as Partial<ReceivedRequest>)[PREPARED] === true;
}

function assertRequestShape(request: WorkloadRequest): void {
  if (
    typeof request !== 'object' ||
    request === null ||
    typeof request.method !== 'string' ||
    typeof request.target !== 'string' ||
    typeof request.headers !== 'object' ||
    request.headers === null ||
    (request.body !== undefined && !(request.body instanceof Uint8Array)) ||
    (request.readBody !== undefined && typeof request.readBody !== 'function')
  ) {
    throw new TypeError('verify() needs { method, target, headers, body?: Uint8Array, readBody?: () => Promise }');
  }
}
