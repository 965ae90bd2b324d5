import { isWimseError, WimseError, type WorkloadGuard } from '@wimse-pep/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticated } from './state.js';

/**
 * `onSend`: signs the response with the service's own WIT when the guard says it must (the caller
 * sent `wimse-sign-response`, or signing is `always`). The payload is final here, so the digest
 * and signature cover exactly the bytes sent. When signing is required but impossible (a streamed
 * payload, a failing key source), the response is replaced by a 501 problem: never a successful
 * unsigned response.
 */
export async function signResponseOnSend(
  guard: WorkloadGuard,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  const state = authenticated.get(request);
  if (!state?.identity || !guard.mustSignResponse(state.identity)) return payload;
  try {
    const body = payloadBytes(payload);
    const headers = reply.getHeaders() as Record<string, string | string[] | undefined>;
    const added = await guard.signResponse(state.identity, state.request, {
      status: reply.statusCode,
      headers: stringHeaders(headers),
      body: body ?? undefined,
    });
    if (added) reply.headers(added);
    return payload;
  } catch (error) {
    if (!isWimseError(error)) throw error;
    reply.code(error.status).type('application/problem+json');
    reply.removeHeader('content-length');
    return JSON.stringify(error.toProblem({ exposeDetail: guard.exposeErrorDetail }));
  }
}

function payloadBytes(payload: unknown): Uint8Array | null {
  if (payload === null || payload === undefined) return null;
  if (typeof payload === 'string') return Buffer.from(payload);
  if (payload instanceof Uint8Array) return payload;
  // A stream cannot be digested without buffering it whole: refuse rather than sign a lie.
  throw new WimseError('response_signing_unavailable', 'a streamed response cannot be signed');
}

function stringHeaders(headers: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}
