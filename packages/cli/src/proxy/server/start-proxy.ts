import {
  Agent,
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { isWimseError, MemoryReplayStore, type ReplayStore, WimseError } from '@wimse-pep/core';
import { bodyTooLarge, createNodePep, type NodePep, sendProblem } from '@wimse-pep/core/node';
import { createRedisMigrationStore, createRedisReplayStore } from '@wimse-pep/redis';
import { createClient } from 'redis';
import { type CompiledRoute, compileRoutes, matchRoute } from '../config/compile-routes.js';
import type { ResolvedProxyConfig } from '../config/resolve-proxy-config.js';
import { forwardRequest, type Upstream } from '../forward/forward-request.js';
import { identityFieldNames, identityFields } from '../identity/identity-fields.js';
import { signIdentityAssertion } from '../identity/sign-identity-assertion.js';
import { proxyProblemBody, sendProxyProblem } from '../problems/proxy-problem.js';
import { checkFraming } from '../request/check-framing.js';
import { checkRequestTarget } from '../request/check-request-target.js';
import { keySetReadiness } from './key-set-readiness.js';

export interface RunningProxy {
  /** `http://host:port` or `https://host:port`, the port the system gave when 0 was configured. */
  readonly url: string;
  readonly server: Server;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes everything. */
  close(graceMs?: number): Promise<void>;
}

export interface ProxyEnvironment {
  /** Where start-up warnings go (a non-loopback upstream with plain identity headers). */
  readonly warn: (message: string) => void;
  /** The replay store when the caller already holds one (tests); default from the configuration. */
  readonly replayStore?: ReplayStore;
}

/** The paths the sidecar answers itself, never forwarded. */
export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

/**
 * Starts the sidecar: one PEP over `@wimse-pep/core/node` (the middleware's verification,
 * problems and hints), the configured routes, and the forwarding of accepted requests.
 */
export async function startProxy(resolved: ResolvedProxyConfig, env: ProxyEnvironment): Promise<RunningProxy> {
  const { config } = resolved;
  const closers: (() => Promise<void>)[] = [];
  let replayStore = env.replayStore;
  let storeReady: () => Promise<boolean> = async () => true;
  let pepOptions = resolved.pepOptions;
  if (!replayStore && resolved.redisUrl !== undefined && config.replayStore.type === 'redis') {
    const client = createClient({ url: resolved.redisUrl, socket: { connectTimeout: 2000 } });
    // Connection errors are answered per request (503 unavailable); never an unhandled 'error'.
    client.on('error', () => {});
    await client.connect();
    closers.push(async () => {
      client.destroy();
    });
    replayStore = createRedisReplayStore({
      client,
      ...(config.replayStore.keyPrefix ? { keyPrefix: config.replayStore.keyPrefix } : {}),
      ...(config.replayStore.evictionCheck ? { evictionCheck: config.replayStore.evictionCheck } : {}),
      warn: env.warn,
    });
    // Replicas (and workers) share the migration state too: the ratchet must hold on every one.
    if (pepOptions.migration) {
      const migrationStore = createRedisMigrationStore({
        client,
        ...(config.replayStore.keyPrefix ? { keyPrefix: config.replayStore.keyPrefix } : {}),
        ...(config.replayStore.evictionCheck ? { evictionCheck: config.replayStore.evictionCheck } : {}),
        warn: env.warn,
      });
      pepOptions = { ...pepOptions, migration: { ...pepOptions.migration, store: migrationStore } };
    }
    // Ready when Redis answers a PING within 1 s: a frozen Redis is not ready.
    storeReady = () => (client.isReady ? answersWithin(client.ping(), 1000) : Promise.resolve(false));
  }
  replayStore ??= new MemoryReplayStore();
  const pep = createNodePep(
    { ...pepOptions, verifier: { ...pepOptions.verifier, replayStore } } as never,
    'wimse-pep proxy',
    'the sidecar reads the body itself: this is a fault of the sidecar',
  );
  const routes = compileRoutes(config.routes, pep.guard);
  const upstream = upstreamOf(resolved);
  const assertion = config.identity.assertion !== undefined;
  if (!assertion && upstream.host !== undefined && !isLoopback(upstream.host)) {
    env.warn(
      `the upstream ${upstream.host} is not on loopback: plain identity headers are only as safe as the path to it; ` +
        'prefer a loopback address or a unix socket, or configure identity.assertion',
    );
  }
  const keySetsReady = keySetReadiness(config);
  // Fetched once at start, so that a healthy sidecar is ready by its first probe.
  void keySetsReady();
  const context: HandlerContext = {
    resolved,
    pep,
    routes,
    upstream,
    identityNames: identityFieldNames(config),
    inFlight: 0,
    closing: false,
    storeReady,
    keySetsReady,
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => handle(context, req, res);
  const server = resolved.tls
    ? createHttpsServer(
        {
          cert: resolved.tls.cert,
          key: resolved.tls.key,
          ...(resolved.tls.ca
            ? // Certificates are requested; the core judges them per trust domain.
              { ca: resolved.tls.ca, requestCert: true, rejectUnauthorized: false }
            : {}),
        },
        handler,
      )
    : createHttpServer(handler);
  server.headersTimeout = config.limits.headersTimeoutMs;
  server.requestTimeout = config.limits.requestTimeoutMs;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // The parser refused the request (smuggling attempts land here): a problem, and the connection closes.
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const body = proxyProblemBody('request_ambiguous');
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${resolved.tls ? 'https' : 'http'}://${host}:${address.port}`,
    server,
    async close(graceMs = 10_000) {
      context.closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      upstream.agent.destroy();
      for (const close of closers) await close();
    },
  };
}

interface HandlerContext {
  readonly resolved: ResolvedProxyConfig;
  readonly pep: NodePep;
  readonly routes: readonly CompiledRoute[];
  readonly upstream: Upstream;
  readonly identityNames: ReadonlySet<string>;
  inFlight: number;
  closing: boolean;
  readonly storeReady: () => Promise<boolean>;
  readonly keySetsReady: () => Promise<boolean>;
}

async function handle(context: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { resolved, pep } = context;
  const { config } = resolved;
  const framing = checkFraming(req);
  if (framing !== undefined) {
    sendProxyProblem(res, 'request_ambiguous', config.exposeErrorDetail ? framing : undefined, true);
    return;
  }
  const target = req.url ?? '';
  const checked = checkRequestTarget(target);
  if ('problem' in checked) {
    sendProxyProblem(res, 'target_not_normal', config.exposeErrorDetail ? checked.problem : undefined);
    return;
  }
  if (checked.path === HEALTH_PATH || checked.path === READY_PATH) {
    await answerHealth(context, checked.path, res);
    return;
  }
  if (context.closing) {
    sendProxyProblem(res, 'shutting_down', undefined, true);
    return;
  }
  const method = req.method ?? 'GET';
  const route = matchRoute(context.routes, method, checked.path);
  try {
    if (!route) throw new WimseError('policy_denied', `no route covers ${method} ${checked.path}`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > config.limits.bodyBytes)
      throw bodyTooLarge(config.limits.bodyBytes).withHeaders({ connection: 'close' });
    const routeContext = {
      route: route.label,
      mode: route.mode,
      transactionToken: route.transactionToken,
      migration: route.migration,
    };
    const { request, identity } = await pep.authenticate(req, { target, route: routeContext });
    if (route.policy) await pep.guard.authorize(identity, request, route.policy, routeContext);
    const drop = new Set(context.identityNames);
    if (identity && config.identity.credentials === 'strip') {
      for (const name of identity.consumedFields) if (name !== 'txn-token') drop.add(name);
    }
    const add = identityFields(config, identity);
    if (identity && config.identity.assertion) {
      const token = await signIdentityAssertion(resolved, identity, method, checked.path);
      if (token) add.push([config.identity.assertion.header, token]);
    }
    forwardRequest({
      req,
      res,
      upstream: context.upstream,
      drop,
      add,
      pep,
      identity,
      request,
      bodyLimit: config.limits.bodyBytes,
      exposeErrorDetail: pep.guard.exposeErrorDetail,
    });
  } catch (error) {
    if (isWimseError(error)) {
      if (error.code === 'client_aborted') return;
      if (res.headersSent) res.destroy();
      else sendProblem(res, error, pep.guard.exposeErrorDetail);
      return;
    }
    sendProxyProblem(res, 'internal_error');
  }
}

async function answerHealth(context: HandlerContext, path: string, res: ServerResponse): Promise<void> {
  const ready =
    path === HEALTH_PATH
      ? !context.closing
      : !context.closing && (await Promise.all([context.storeReady(), context.keySetsReady()])).every(Boolean);
  const body = JSON.stringify({ status: ready ? 'ok' : 'unavailable' });
  res.statusCode = ready ? 200 : 503;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(body);
}

function upstreamOf(resolved: ResolvedProxyConfig): Upstream {
  const { upstream } = resolved.config;
  // Keep-alive to the upstream: one connection reused across requests.
  const agent = new Agent({ keepAlive: true, maxFreeSockets: upstream.maxIdleSockets });
  if (upstream.socket !== undefined) return { agent, socketPath: upstream.socket, timeoutMs: upstream.timeoutMs };
  const url = new URL(upstream.url as string);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { agent, host, port: Number(url.port || 80), timeoutMs: upstream.timeoutMs };
}

function answersWithin(pending: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    pending.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
