import { indexFields, indexRawHeaders } from '../base/fields/field-index.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';

/** What every Node request object has (http, https, the http2 compatibility API). */
export interface NodeRequestHeaders {
  readonly rawHeaders?: readonly string[];
  readonly headers: WorkloadRequest['headers'];
}

/**
 * The header fields of a Node request for `WorkloadRequest.headers`: every field line as received
 * (`rawHeaders`), so a second WIT or `Signature` line stays visible, indexed once for the guard
 * and the verifier.
 */
export function requestFields(req: NodeRequestHeaders): WorkloadRequest['headers'] {
  return Array.isArray(req.rawHeaders) ? indexRawHeaders(req.rawHeaders) : indexFields(req.headers);
}
