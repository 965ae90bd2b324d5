import { Readable } from 'node:stream';
import {
  isWimseError,
  WimseError,
  type WorkloadGuard,
  type WorkloadIdentity,
  type WorkloadRequest,
} from '@wimse-pep/core';
import type { Context } from 'koa';
import { refuse } from './state.js';

/**
 * Runs after the handler: serializes `ctx.body` the way Koa would, then signs status, headers and
 * those exact bytes with the service's own WIT. A streamed body cannot be digested without
 * buffering it, and a failing key source cannot sign: both replace the response with a 501
 * problem, never a successful unsigned response.
 */
export async function signResponseAfterHandler(
  ctx: Context,
  guard: WorkloadGuard,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
): Promise<void> {
  try {
    const body = responseBytes(ctx);
    if (body !== undefined) ctx.body = Buffer.from(body); // keeps ctx.type as the handler set it
    const headers = ctx.response.headers as Record<string, string | string[] | number | undefined>;
    const added = await guard.signResponse(identity, request, {
      status: ctx.status,
      headers: stringHeaders(headers),
      body,
    });
    for (const [name, value] of Object.entries(added ?? {})) ctx.set(name, value);
  } catch (error) {
    if (!isWimseError(error)) throw error;
    for (const name of Object.keys(ctx.response.headers)) ctx.remove(name);
    refuse(ctx, error, guard.exposeErrorDetail);
  }
}

function responseBytes(ctx: Context): Uint8Array | undefined {
  const body: unknown = ctx.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof Readable)
    throw new WimseError('response_signing_unavailable', 'a streamed response cannot be signed');
  return Buffer.from(JSON.stringify(body));
}

function stringHeaders(headers: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}
