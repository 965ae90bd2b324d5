import { type Agent, type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { WorkloadIdentity, WorkloadRequest } from '@wimse-pep/core';
import type { NodePep } from '@wimse-pep/core/node';
import { bodyTooLarge, sendProblem, signOnEnd } from '@wimse-pep/core/node';
import { sendProxyProblem } from '../problems/proxy-problem.js';

/** Fields of one connection (RFC 9110 §7.6.1), never forwarded either way. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface Upstream {
  readonly agent: Agent;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly socketPath?: string | undefined;
  readonly timeoutMs: number;
}

export interface ForwardInput {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly upstream: Upstream;
  /** Request fields (lower case) never forwarded: identity fields, consumed credentials. */
  readonly drop: ReadonlySet<string>;
  /** Fields the sidecar adds: the verified identity. */
  readonly add: readonly [string, string][];
  readonly pep: NodePep;
  readonly identity: WorkloadIdentity | undefined;
  readonly request: WorkloadRequest;
  /** The largest body forwarded (the configuration's `limits.bodyBytes`), also when it streams. */
  readonly bodyLimit: number;
  readonly exposeErrorDetail: boolean;
}

/**
 * Sends an accepted request upstream, target and body bytes as received, and its answer back.
 * A response the caller asked to be signed is buffered and signed over its final bytes; any other
 * streams through.
 */
export function forwardRequest(input: ForwardInput): void {
  const { req, res, upstream, pep, identity } = input;
  const headers = forwardedFields(req.rawHeaders, input.drop);
  for (const [name, value] of input.add) headers[name] = value;
  const outgoing = request({
    agent: upstream.agent,
    method: req.method,
    path: req.url,
    headers,
    ...(upstream.socketPath ? { socketPath: upstream.socketPath } : { host: upstream.host, port: upstream.port }),
  });
  let answered = false;
  outgoing.setTimeout(upstream.timeoutMs, () => outgoing.destroy(new UpstreamTimeout()));
  outgoing.on('error', (error) => {
    if (answered) {
      res.destroy();
      return;
    }
    if (error instanceof BodyTooLarge) {
      // The same refusal as a body too large to verify; the rest of the body is not read.
      const refusal = bodyTooLarge(input.bodyLimit).withHeaders({ connection: 'close' });
      sendProblem(res, refusal, input.exposeErrorDetail);
      return;
    }
    sendProxyProblem(res, error instanceof UpstreamTimeout ? 'upstream_timeout' : 'upstream_unreachable');
  });
  // The caller went away: stop the upstream exchange too.
  res.on('close', () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  outgoing.on('response', (answer) => {
    answered = true;
    res.statusCode = answer.statusCode ?? 502;
    const responseFields = responseHeaders(answer.headers);
    for (const [name, value] of Object.entries(responseFields)) res.setHeader(name, value);
    for (const [name, value] of Object.entries(pep.guard.responseHeaders(identity))) res.setHeader(name, value);
    if (identity && pep.guard.mustSignResponse(identity)) {
      // The digest covers the whole body: buffered, then signed before anything is sent.
      res.removeHeader('content-length');
      signOnEnd(res, pep.guard, identity, input.request);
    }
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) {
    outgoing.end();
    return;
  }
  // A streamed body (one that was not verified) is bounded as it passes, not only a verified one.
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > input.bodyLimit && !outgoing.destroyed) {
      req.unpipe(outgoing);
      outgoing.destroy(new BodyTooLarge());
    }
  });
  req.pipe(outgoing);
}

class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

class UpstreamTimeout extends Error {
  override readonly name = 'UpstreamTimeout';
}

/** The caller's fields minus hop-by-hop ones, those `Connection` names, and `drop`. */
function forwardedFields(raw: readonly string[], drop: ReadonlySet<string>): Record<string, string | string[]> {
  const connectionNamed = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'connection') {
      for (const token of (raw[i + 1] as string).split(',')) connectionNamed.add(token.trim().toLowerCase());
    }
  }
  const fields: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (HOP_BY_HOP.has(name) || connectionNamed.has(name) || drop.has(name)) continue;
    const value = raw[i + 1] as string;
    const earlier = fields[name];
    fields[name] = earlier === undefined ? value : Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
  }
  return fields;
}

function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase()),
  );
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    fields[name] = value;
  }
  return fields;
}
