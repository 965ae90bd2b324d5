import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { type NodePep, nodeDecision, readBodyStream, signReplyPayload } from '@wimse-pep/core/node';
import type { RouteInfo } from '../route-info.js';
import { refuseInHook } from '../state.js';
import { verifyRequest } from '../verify-request.js';
import { observeRoutes, type ResolveRoute } from './route-methods.js';

/** The parts of Fastify's request, reply and instance the hook uses. */
interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  readonly originalUrl: string;
  readonly routeOptions: { readonly url?: string | undefined; readonly bodyLimit: number };
}
interface FastifyReplyLike {
  readonly statusCode: number;
  getHeaders(): OutgoingHttpHeaders;
  headers(values: Record<string, string>): FastifyReplyLike;
  code(status: number): FastifyReplyLike;
  removeHeader(name: string): FastifyReplyLike;
}
type Done = (error: Error | null, value?: unknown) => void;
export interface FastifyLike {
  addHook(
    name: 'preParsing',
    hook: (req: FastifyRequestLike, reply: FastifyReplyLike, payload: Readable, done: Done) => void,
  ): unknown;
  addHook(
    name: 'onSend',
    hook: (req: FastifyRequestLike, reply: FastifyReplyLike, payload: unknown, done: Done) => void,
  ): unknown;
}

/**
 * Fastify runs `preParsing` for every request before content-type parsing (even before the 415 of
 * an unknown type): the digest is checked against the payload as received, and the app's parsers
 * then read the same bytes. Fastify has matched the route by then; the hook finds the route's info
 * by the method and URL Nest registered it with.
 */
export function installFastifyHook(
  app: FastifyLike,
  adapter: object,
  pep: NodePep,
  bodyLimit: number | undefined,
  resolve: ResolveRoute,
): void {
  const { guard } = pep;
  const routes = new Map<string, RouteInfo>();
  observeRoutes(adapter, resolve, (method, path, info) => {
    if (info.guarded) routes.set(`${method.toUpperCase()} ${path}`, info);
  });
  const routeOf = (method: string | undefined, url: string) =>
    routes.get(`${method} ${url}`) ??
    routes.get(`ALL ${url}`) ??
    (method === 'HEAD' ? routes.get(`GET ${url}`) : undefined);

  app.addHook('preParsing', (request, reply, payload, done) => {
    const { url, bodyLimit: routeLimit } = request.routeOptions;
    const info = url === undefined ? undefined : routeOf(request.raw.method, url);
    if (!info) {
      done(null, payload);
      return;
    }
    let stream: Readable = payload;
    const readBody = async () => {
      const read = await readBodyStream(payload, request.raw, bodyLimit ?? routeLimit, pep.body.timeoutMs);
      stream = read.stream;
      return read.bytes;
    };
    verifyRequest(pep, request.raw, info, url ?? request.originalUrl, request.originalUrl, readBody).then(
      ({ identity }) => {
        reply.headers(guard.responseHeaders(identity));
        done(null, stream);
      },
      (error: unknown) => {
        refuseInHook(request.raw, error);
        done(null, stream);
      },
    );
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    // Most responses need no signature: passed on at once, without a promise per response.
    const decision = nodeDecision(request.raw);
    if (!decision?.identity || !guard.mustSignResponse(decision.identity)) return done(null, payload);
    signReplyPayload(guard, decision.identity, decision.request, reply, payload).then(
      (signed) => done(null, signed),
      (error: Error) => done(error),
    );
  });
}
