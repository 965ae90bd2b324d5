import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isWimseError, parseWorkloadId, type TransactionTokenOptions, type TrustDomainOptions } from '@wimse-pep/core';
import type { JSONWebKeySet } from 'jose';
import { BEARER_TOKEN_TYPE, issueBearer } from '../bearer/issue-bearer.js';
import {
  createDevCertificateAuthority,
  type DevCertificateAuthority,
  type IssuedWorkloadCertificate,
} from '../dev-ca/dev-certificate-authority.js';
import {
  type GeneratedAlgorithm,
  generateKey,
  parseKey,
  privateJwkOf,
  publicJwkOf,
  thumbprintOf,
  validatePublicJwk,
} from '../keys/key-files.js';
import { issueWit } from '../wit/issue-wit.js';
import {
  createDevTransactionTokenService,
  type TxnTokenRequest,
  TxnTokenRequestError,
  type TxnTokenResponse,
} from './dev-transaction-token-service.js';

export interface DevIssuerOptions {
  /** The trust domain it issues identities in, e.g. `demo.example`. */
  readonly trustDomain: string;
  /** TCP port on 127.0.0.1 (default 0: an ephemeral port). */
  readonly port?: number;
  /**
   * The issuer's signing key: a KeyObject, or a file path (loaded when it exists, otherwise
   * created and saved there, so restarts keep the key). Default: a new key in memory.
   */
  readonly key?: string | KeyObject;
  /** Algorithm of a key it creates (default ES256). */
  readonly alg?: GeneratedAlgorithm;
  /** Lifetime of the WITs it issues, in seconds (default 3600); also the most a request may ask for. */
  readonly witLifetimeSec?: number;
  /** The `iss` claim (default its own URL). */
  readonly issuer?: string;
  /** Lifetime of the bearer tokens it issues, in seconds (default 3600); also the most a request may ask for. */
  readonly bearerLifetimeSec?: number;
  /** Lifetime of the Txn-Tokens it issues, in seconds (default 300); also the most a request may ask for. */
  readonly txnTokenLifetimeSec?: number;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Told about every WIT issued (no token in it). */
  readonly onIssue?: (event: { sub: string; keyThumbprint: string; exp: number }) => void;
  /** Told about every bearer token issued (no token in it). */
  readonly onIssueBearer?: (event: { sub: string; aud: readonly string[]; exp: number }) => void;
}

export interface BearerRequest {
  /** The workload the token is for (its `sub` and `client_id`). */
  readonly sub: string;
  /** The service or services it is for. */
  readonly aud: string | readonly string[];
  /** Requested lifetime in seconds, at most `bearerLifetimeSec`. */
  readonly ttl?: number;
  /** Space-separated scopes. */
  readonly scope?: string;
}

/** An RFC 6749 section 5.1 token response. */
export interface BearerResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  /** `exp` of the token, seconds since the epoch. */
  readonly exp: number;
}

/**
 * How a service verifies the bearer tokens of a dev issuer: the `migration.bearer` option of a
 * wimse-pep guard, all but `jwt.audience` (the service's own name, which it adds).
 */
export interface DevBearerIssuer {
  readonly jwt: {
    readonly issuer: string;
    readonly jwksUri: string;
    readonly algorithms: readonly string[];
    /** `['at+jwt']`: what tells these tokens apart from its WITs. */
    readonly types: readonly string[];
  };
  /** The origins its bearer tokens may name workloads in (those of its trust domain). */
  readonly origins: readonly string[];
}

export interface WitRequest {
  readonly sub: string;
  readonly jwk: unknown;
  /** Requested lifetime in seconds, at most `witLifetimeSec`. */
  readonly ttl?: number;
}

export interface DevIssuer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The `iss` claim of its WITs. */
  readonly issuer: string;
  readonly trustDomain: string;
  /** Its public key set (as served on `/.well-known/jwks.json`). */
  readonly jwks: JSONWebKeySet;
  readonly jwksUri: string;
  /** How a verifier trusts it: the entry for `VerifierOptions.trustDomains`. */
  readonly trust: TrustDomainOptions;
  /** How a service verifies its bearer tokens (same key set, `typ` `at+jwt`): `migration.bearer` minus the audience. */
  readonly bearerIssuer: DevBearerIssuer;
  /**
   * Issues a WIT in-process, with the same checks as `POST /wit`; `witSvid` leaves out `iss`, as
   * the Workload API's WIT-SVIDs do (the bundle of the trust domain names the issuer).
   */
  issue(request: WitRequest, options?: { readonly witSvid?: boolean }): Promise<{ wit: string; exp: number }>;
  /** Issues a bearer token in-process, with the same checks as `POST /bearer`. */
  issueBearer(request: BearerRequest): Promise<BearerResponse>;
  /**
   * How a service verifies its Transaction Tokens: the guard's `transactionTokens` option (the
   * trust domain as audience, its own key set, not the WIT issuer's).
   */
  readonly transactionTokens: TransactionTokenOptions & { readonly audience: string; readonly jwksUri: string };
  /** Issues a Txn-Token in-process, with the same checks as `POST /txn-token`. */
  issueTransactionToken(request: TxnTokenRequest): Promise<TxnTokenResponse>;
  /** Its development CA for Workload Identity Certificates (mutual TLS); in `trust.x509Authorities`. */
  readonly certificateAuthority: DevCertificateAuthority;
  /** Issues a WIC (key and certificate) in-process, with the same checks as `POST /wic`. */
  issueWic(request: WicRequest): Promise<IssuedWorkloadCertificate>;
  close(): Promise<void>;
}

export interface WicRequest {
  readonly sub: string;
  /** Requested lifetime in seconds, at most the WIT lifetime. */
  readonly ttl?: number;
}

const MAX_BODY_BYTES = 64 * 1024;

class BadRequest extends Error {}

/**
 * A DEVELOPMENT identity server: it issues a WIT to anyone who asks on 127.0.0.1, with no
 * attestation of the caller at all. Never use it outside a developer machine or a test.
 *
 * - `GET /.well-known/jwks.json` (also `/jwks`): its public keys;
 * - `POST /wit` with JSON `{ "sub": "wimse://<trust-domain>/...", "jwk": { public JWK with alg } }`
 *   (optionally `"ttl": seconds`): answers `{ "wit": "...", "exp": ... }`;
 * - `POST /bearer` with JSON `{ "sub": "wimse://<trust-domain>/...", "aud": "<service>" }`
 *   (optionally `"ttl"`, `"scope"`): a bearer JWT access token (`typ: at+jwt`) for that workload,
 *   answered as an OAuth token response, for a caller that has not migrated to WITs yet;
 * - `POST /txn-token` with JSON `{ "sub", "scope", "req_wl" }` (optionally `tctx`, `rctx`, `txn`,
 *   `ttl`): a Transaction Token (`typ: txntoken+jwt`, `aud` the trust domain) signed with its own
 *   Transaction Token Service key, published on `GET /txn/jwks.json`.
 */
export async function startDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const trustDomain = checkTrustDomain(options.trustDomain);
  const lifetime = options.witLifetimeSec ?? 3600;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 86_400) {
    throw new TypeError('startDevIssuer: witLifetimeSec must be an integer from 1 to 86400');
  }
  const bearerLifetime = options.bearerLifetimeSec ?? 3600;
  if (!Number.isInteger(bearerLifetime) || bearerLifetime < 1 || bearerLifetime > 86_400) {
    throw new TypeError('startDevIssuer: bearerLifetimeSec must be an integer from 1 to 86400');
  }
  const txnLifetime = options.txnTokenLifetimeSec ?? 300;
  if (!Number.isInteger(txnLifetime) || txnLifetime < 1 || txnLifetime > 3600) {
    throw new TypeError('startDevIssuer: txnTokenLifetimeSec must be an integer from 1 to 3600');
  }
  const now = options.now ?? Date.now;
  const { privateKey, alg } = await loadOrCreateKey(options.key, options.alg ?? 'ES256');
  const kid = await thumbprintOf(privateKey);
  const jwks: JSONWebKeySet = {
    keys: [{ ...publicJwkOf(privateKey, alg, kid), use: 'sig' } as JSONWebKeySet['keys'][0]],
  };
  let issuer = options.issuer ?? '';

  /** The request's `sub`: a canonical workload identifier in this trust domain. */
  function checkSubject(request: { sub?: unknown } | null): string {
    if (typeof request !== 'object' || request === null) throw new BadRequest('the body must be a JSON object');
    if (typeof request.sub !== 'string') throw new BadRequest('sub is required (a workload identifier)');
    let parsed: ReturnType<typeof parseWorkloadId>;
    try {
      parsed = parseWorkloadId(request.sub);
    } catch (error) {
      throw new BadRequest(`sub: ${(error as Error).message}`);
    }
    if (parsed.trustDomain !== trustDomain) {
      throw new BadRequest(`sub must be in the trust domain ${trustDomain}, not ${parsed.trustDomain}`);
    }
    return request.sub;
  }

  async function issue(
    request: WitRequest,
    issueOptions: { readonly witSvid?: boolean } = {},
  ): Promise<{ wit: string; exp: number }> {
    checkSubject(request);
    let jwk: Record<string, unknown>;
    try {
      jwk = validatePublicJwk(request.jwk) as Record<string, unknown>;
    } catch (error) {
      throw new BadRequest((error as Error).message);
    }
    const ttl = request.ttl ?? lifetime;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > lifetime) {
      throw new BadRequest(`ttl must be an integer from 1 to ${lifetime}`);
    }
    const issuedMs = now();
    const wit = await issueWit({
      issuerKey: privateKey,
      alg,
      kid,
      sub: request.sub,
      cnfJwk: jwk,
      ttlSec: ttl,
      iss: issueOptions.witSvid === true ? undefined : issuer,
      now: () => issuedMs,
    });
    const exp = Math.floor(issuedMs / 1000) + ttl;
    options.onIssue?.({ sub: request.sub, keyThumbprint: await thumbprintOf(publicKeyOf(jwk)), exp });
    return { wit, exp };
  }

  async function bearer(request: BearerRequest): Promise<BearerResponse> {
    const sub = checkSubject(request);
    const aud = typeof request.aud === 'string' ? [request.aud] : request.aud;
    if (!Array.isArray(aud) || aud.length === 0 || aud.some((value) => typeof value !== 'string' || value === '')) {
      throw new BadRequest('aud is required: the service (or a list of services) the token is for');
    }
    const ttl = request.ttl ?? bearerLifetime;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > bearerLifetime) {
      throw new BadRequest(`ttl must be an integer from 1 to ${bearerLifetime}`);
    }
    if (
      request.scope !== undefined &&
      (typeof request.scope !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e ]*$/.test(request.scope))
    ) {
      throw new BadRequest('scope must be a string of space-separated scope tokens');
    }
    const issuedMs = now();
    const token = await issueBearer({
      issuerKey: privateKey,
      alg,
      kid,
      sub,
      aud,
      iss: issuer,
      ttlSec: ttl,
      scope: request.scope,
      now: () => issuedMs,
    });
    const exp = Math.floor(issuedMs / 1000) + ttl;
    options.onIssueBearer?.({ sub, aud, exp });
    return { access_token: token, token_type: 'Bearer', expires_in: ttl, exp };
  }

  const certificateAuthority = await createDevCertificateAuthority({ trustDomain, now });
  const transactionTokenService = await createDevTransactionTokenService({
    trustDomain,
    lifetimeSec: txnLifetime,
    alg: options.alg ?? 'ES256',
    now,
  });
  const issueTransactionToken = (request: TxnTokenRequest) => transactionTokenService.issue(request, issuer);

  /** A WIC for a workload of this trust domain: the same identifier checks as `POST /wit`. */
  async function issueWic(request: WicRequest): Promise<IssuedWorkloadCertificate> {
    checkSubject(request);
    const ttl = request.ttl ?? lifetime;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > lifetime) {
      throw new BadRequest(`ttl must be an integer from 1 to ${lifetime}`);
    }
    return certificateAuthority.issueWorkloadCertificate({ id: request.sub, lifetimeSec: ttl });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: 'server_error', detail: String(error) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://dev-issuer').pathname;
    if (path === '/.well-known/jwks.json' || path === '/jwks') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed(res, 'GET, HEAD');
      return send(res, 200, jwks, 'application/jwk-set+json');
    }
    if (path === '/wit') return answerIssueRequest(req, res, (body) => issue(body as WitRequest));
    if (path === '/wic') return answerIssueRequest(req, res, (body) => issueWic(body as WicRequest));
    if (path === '/bearer') return answerIssueRequest(req, res, (body) => bearer(body as BearerRequest));
    if (path === '/txn-token') {
      return answerIssueRequest(req, res, (body) => issueTransactionToken(body as TxnTokenRequest));
    }
    if (path === '/txn/jwks.json') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed(res, 'GET, HEAD');
      return send(res, 200, transactionTokenService.jwks, 'application/jwk-set+json');
    }
    if (path === '/') {
      return send(res, 200, {
        service: 'wimse-pep dev-issuer (DEVELOPMENT ONLY, NOT FOR PRODUCTION)',
        trustDomain,
        issuer,
        jwks_uri: `${url}/.well-known/jwks.json`,
        issue: `POST ${url}/wit {"sub":"wimse://${trustDomain}/<path>","jwk":{<public JWK with alg>}}`,
        bearer: `POST ${url}/bearer {"sub":"wimse://${trustDomain}/<path>","aud":"<service>"}`,
        wic: `POST ${url}/wic {"sub":"wimse://${trustDomain}/<path>"} (a certificate and key for mutual TLS)`,
        txnToken: `POST ${url}/txn-token {"sub":"<principal>","scope":"<scopes>","req_wl":"<workload>"} (keys: ${url}/txn/jwks.json)`,
      });
    }
    send(res, 404, {
      error: 'not_found',
      detail: `no ${path}; try GET /.well-known/jwks.json, POST /wit, POST /bearer or POST /txn-token`,
    });
  }

  // Loopback only: this server hands out identities without asking who is calling.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (issuer === '') issuer = url;
  const jwksUri = `${url}/.well-known/jwks.json`;
  const origins = [`wimse://${trustDomain}`, `spiffe://${trustDomain}`];
  return {
    url,
    issuer,
    trustDomain,
    jwks,
    jwksUri,
    trust: {
      trustDomain,
      issuers: [{ issuer, jwksUri, origins, algorithms: [alg] }],
      x509Authorities: [certificateAuthority.certificatePem],
    },
    certificateAuthority,
    issueWic,
    bearerIssuer: { jwt: { issuer, jwksUri, algorithms: [alg], types: [BEARER_TOKEN_TYPE] }, origins },
    issue,
    issueBearer: bearer,
    transactionTokens: { audience: trustDomain, jwksUri: `${url}/txn/jwks.json`, issuer },
    issueTransactionToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function checkTrustDomain(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError('startDevIssuer: trustDomain is required');
  try {
    const parsed = parseWorkloadId(`wimse://${value}/probe`);
    if (parsed.trustDomain === value) return value;
  } catch (error) {
    throw new TypeError(`startDevIssuer: trust domain ${value} is invalid: ${(error as Error).message}`);
  }
  throw new TypeError(`startDevIssuer: trust domain ${value} is invalid`);
}

async function loadOrCreateKey(
  key: string | KeyObject | undefined,
  alg: GeneratedAlgorithm,
): Promise<{ privateKey: KeyObject; alg: string }> {
  if (typeof key === 'object') {
    if (key.type !== 'private') throw new TypeError('startDevIssuer: key must be a private key');
    return { privateKey: key, alg: parseKey(JSON.stringify(key.export({ format: 'jwk' })), 'key').alg };
  }
  if (typeof key === 'string' && existsSync(key)) {
    const loaded = parseKey(readFileSync(key, 'utf8').trim(), `issuer key ${key}`);
    if (!loaded.privateKey)
      throw new TypeError(`startDevIssuer: ${key} holds a public key; the issuer needs its private key`);
    return { privateKey: loaded.privateKey, alg: loaded.alg };
  }
  const { privateKey } = generateKey(alg);
  if (typeof key === 'string') {
    writeFileSync(key, `${JSON.stringify(await privateJwkOf(privateKey, alg), null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  }
  return { privateKey, alg };
}

function publicKeyOf(jwk: Record<string, unknown>): KeyObject {
  return parseKey(JSON.stringify(jwk), 'jwk').publicKey;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('the body is not JSON: send {"sub": "...", "jwk": {...}} (or {"sub": "...", "aud": "..."})');
  }
}

/** A POST route that issues something for a JSON body; a request it cannot serve is a 400. */
async function answerIssueRequest(
  req: IncomingMessage,
  res: ServerResponse,
  issueFor: (body: unknown) => Promise<unknown>,
): Promise<void> {
  if (req.method !== 'POST') return notAllowed(res, 'POST');
  try {
    const body = await readJson(req);
    send(res, 200, await issueFor(body));
  } catch (error) {
    if (error instanceof BadRequest || error instanceof TxnTokenRequestError || isWimseError(error)) {
      send(res, 400, { error: 'invalid_request', detail: (error as Error).message });
    } else throw error;
  }
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  send(res, 405, { error: 'method_not_allowed', detail: `use ${allow}` });
}
