import { isWimseError, type WorkloadGuard, type WorkloadIdentity, type WorkloadRequest } from '@wimse-pep/core';
import { problemResponse } from './problem.js';

/**
 * The handler's response signed with the service's own WIT over its final status, header fields
 * and exact body bytes (buffered: only responses to callers that asked for a signature). A signer
 * that fails is a problem in its place, never an unsigned success.
 */
export async function signedResponse(
  guard: WorkloadGuard,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
  response: Response,
): Promise<Response> {
  const body = response.body === null ? undefined : new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  try {
    const added = await guard.signResponse(identity, request, { status: response.status, headers, body });
    return new Response(body ?? null, { status: response.status, headers: { ...headers, ...added } });
  } catch (error) {
    if (!isWimseError(error)) throw error;
    return problemResponse(error, guard.exposeErrorDetail);
  }
}
