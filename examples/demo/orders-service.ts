/**
 * The protected service of the demo: a plain node:http server that uses @wimse-pep/core
 * directly. For every request it verifies the caller's WIT and HTTP signature (digest, audience,
 * replay), applies the route's policy, and signs its response with its own WIT when the caller
 * asked for that (`wimse-sign-response`). No framework, no adapter: the whole PEP is visible here.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AudienceOption,
  allowWorkloads,
  createVerifier,
  evaluatePolicy,
  isWimseError,
  type TrustDomainOptions,
  WimseError,
  type WorkloadIdentity,
  type WorkloadPolicy,
  type WorkloadRequest,
} from '@wimse-pep/core';
import { resolveSigningKey, signResponse, type WorkloadCredentials } from '@wimse-pep/core/signing';

export interface OrdersServiceOptions {
  /** Who may call: the trust domains and their identity servers (configured out of band). */
  readonly trustDomains: TrustDomainOptions[];
  /** The origins callers know this service by (here: the middlebox in front of it). */
  readonly audiences: AudienceOption;
  /** The service's own WIT and key, to sign its responses. */
  readonly credentials: WorkloadCredentials;
  /** The caller allowed to place and read orders. */
  readonly checkoutId: string;
  readonly log: (line: string) => void;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly target: string;
  /** Header fields exactly as they arrived (name, value), after the middlebox. */
  readonly fields: [string, string][];
  readonly body: Uint8Array;
}

export interface OrdersService {
  readonly url: string;
  /** The last request that reached the service, as received. */
  readonly received: () => ReceivedRequest | undefined;
  close(): Promise<void>;
}

interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly policy: WorkloadPolicy;
  readonly handle: (identity: WorkloadIdentity, body: Uint8Array) => { status: number; json: unknown };
}

export async function startOrdersService(options: OrdersServiceOptions): Promise<OrdersService> {
  const verifier = createVerifier({ trustDomains: options.trustDomains, audiences: options.audiences });
  const signingKey = resolveSigningKey(options.credentials);
  let nextOrder = 1000;
  let received: ReceivedRequest | undefined;

  // Per-route policy: which verified workloads may do what.
  const routes: Route[] = [
    {
      method: 'POST',
      path: /^\/orders$/,
      policy: allowWorkloads(options.checkoutId),
      handle: (_identity, body) => ({
        status: 201,
        json: { order: nextOrder++, ...(JSON.parse(new TextDecoder().decode(body)) as object) },
      }),
    },
    {
      method: 'GET',
      path: /^\/orders\/\d+$/,
      policy: allowWorkloads(options.checkoutId),
      handle: () => ({ status: 200, json: { order: 1000, status: 'shipped' } }),
    },
    {
      method: 'GET',
      path: /^\/admin\//,
      policy: allowWorkloads('wimse://demo.example/service/operations'),
      handle: () => ({ status: 200, json: { orders: nextOrder - 1000 } }),
    },
  ];

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    received = { method: req.method ?? '', target: req.url ?? '', fields: pairs(req.rawHeaders), body };
    const request: WorkloadRequest = {
      method: req.method ?? '',
      target: req.url ?? '',
      headers: req.headers,
      body: body.byteLength > 0 ? body : undefined,
    };
    let identity: WorkloadIdentity;
    try {
      // Steps 1-6: WIT, signature profile, audience, Content-Digest, signature, replay.
      identity = await verifier.verify(request);
    } catch (error) {
      const refusal = isWimseError(error) ? error : new WimseError('unavailable', 'verification failed');
      options.log(
        `refused ${request.method} ${request.target}: ${refusal.status} ${refusal.code} (${refusal.message})`,
      );
      res.writeHead(refusal.status, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify(refusal.toProblem()));
      return;
    }
    options.log(
      `verified caller ${identity.id} by ${identity.proof} (key ${identity.keyThumbprint.slice(0, 12)}…, ${identity.proof === 'wpt' ? `jti ${identity.jti.slice(0, 8)}` : `nonce ${identity.nonce.slice(0, 8)}`}…)`,
    );

    // Step 7: only now does authorization see the identity.
    const path = request.target.split('?')[0] ?? '/';
    const route = routes.find((candidate) => candidate.method === request.method && candidate.path.test(path));
    let status: number;
    let json: unknown;
    if (!route) {
      ({ status, json } = { status: 404, json: { title: 'no such route' } });
    } else {
      try {
        await evaluatePolicy(route.policy, identity, request);
        ({ status, json } = route.handle(identity, body));
        options.log(`policy allowed ${request.method} ${path} for ${identity.id}`);
      } catch (error) {
        if (!isWimseError(error)) throw error;
        options.log(`policy denied ${request.method} ${path} for ${identity.id}: ${error.status} ${error.code}`);
        ({ status, json } = { status: error.status, json: error.toProblem() });
      }
    }

    const responseBody = new TextEncoder().encode(JSON.stringify(json));
    const headers: Record<string, string> = {
      'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
    };
    if (identity.proof === 'http-signature' && identity.signResponse) {
      // The caller asked for a signed response: sign it with the service's own WIT, bound to the
      // request it answers (@method;req, @path;req, @query;req and wimse-req-nonce).
      Object.assign(
        headers,
        await signResponse({ status, headers, body: responseBody }, request, signingKey, {
          profile: verifier.settings.profile,
          requestNonce: identity.nonce,
        }),
      );
    }
    res.writeHead(status, headers);
    res.end(responseBody);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function pairs(raw: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) result.push([raw[i] as string, raw[i + 1] as string]);
  return result;
}
