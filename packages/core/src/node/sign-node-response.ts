import { Readable } from 'node:stream';
import { isWimseError, WimseError } from '../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { WorkloadGuard } from '../guard/guard-options.js';
import type { WorkloadIdentity } from '../identity/workload-identity.js';
import { type ProblemResponse, problemResponse } from './problem-response.js';

/** A response as the framework holds it just before it is sent. */
export interface OutgoingResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  /** The body: bytes, text, nothing, or (Koa) a value the framework serializes as JSON. */
  readonly body: unknown;
}

/** The header fields that sign the response, or the problem that replaces it. */
export type SignedNodeResponse =
  | { readonly headers: Readonly<Record<string, string>>; readonly body: Uint8Array | undefined }
  | { readonly problem: ProblemResponse };

/**
 * Signs the final status, header fields and exact body bytes with the service's own WIT. A body
 * that cannot be digested without buffering it whole (a stream) or a signer that fails is a 501
 * problem in place of the response: never a successful unsigned response to a caller that
 * required a signature.
 */
export async function signNodeResponse(
  guard: WorkloadGuard,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
  response: OutgoingResponse,
): Promise<SignedNodeResponse> {
  try {
    const body = responseBytes(response.body);
    const headers = stringHeaders(response.headers);
    const added = await guard.signResponse(identity, request, { status: response.status, headers, body });
    return { headers: added ?? {}, body };
  } catch (error) {
    if (!isWimseError(error)) throw error;
    return { problem: problemResponse(error, guard.exposeErrorDetail) };
  }
}

function responseBytes(body: unknown): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof Readable) {
    throw new WimseError('response_signing_unavailable', 'a streamed response cannot be signed');
  }
  return Buffer.from(JSON.stringify(body));
}

function stringHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}
