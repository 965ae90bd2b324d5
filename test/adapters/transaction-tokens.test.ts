/**
 * Transaction Tokens (draft-ietf-oauth-transaction-tokens-10) through real Express, Fastify, Koa and NestJS
 * servers: a Txn-Token verified once the caller is authenticated, bound to the caller's proof (an
 * HTTP signature covering `txn-token`, a WPT's `tth`), refused with its own codes, refused from
 * callers whose proof cannot bind it (mutual TLS, bearer) unless a route accepts them, forwarded by
 * the client, and never written to an audit event or a problem.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import Router from '@koa/router';
import { createDevCertificateAuthority, type IssuedWorkloadCertificate } from '@wimse-pep/cli';
import { createWimseFetch } from '@wimse-pep/client';
import {
  type AuditEvent,
  type RouteContext,
  requireRequestingWorkload,
  requireScope,
  requireTransactionContext,
  type WorkloadGuardOptions,
  type WorkloadIdentity,
  type WorkloadPolicy,
} from '@wimse-pep/core';
import { tokenHash } from '@wimse-pep/core/signing';
import { requireWorkload as expressPolicy, wimse as expressWimse } from '@wimse-pep/express';
import { requireWorkload as fastifyPolicy, wimse as fastifyWimse } from '@wimse-pep/fastify';
import { requireWorkload as koaPolicy, wimse as koaWimse } from '@wimse-pep/koa';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';
import request from 'supertest';
import {
  AUDIENCE,
  BEARER_AUDIENCE,
  BEARER_ISSUER,
  CALLER_ID,
  createScenario,
  generateTestKey,
  mintBearer,
  mintTxnToken,
  NOW_SEC,
  now,
  type Scenario,
  TRUST_DOMAIN,
  wptWorkloadRequest,
} from '../support/index.js';
import { expectProblem, type Outgoing, send, signed } from './cases.js';
import { createNestRoutesServer } from './harness-nest.js';

const ttsKey = generateTestKey('ES256', 'tts-1');
const bearerKey = generateTestKey('ES256', 'bearer-1');

/** The routes every app has, with what each asks beyond the guard's defaults. */
interface TxnRoute {
  readonly path: string;
  readonly route?: Pick<RouteContext, 'transactionToken' | 'unboundTransactionToken'>;
  readonly policy?: WorkloadPolicy;
}

const ROUTES: readonly TxnRoute[] = [
  { path: '/txn/optional' },
  { path: '/txn/required', route: { transactionToken: 'required' } },
  { path: '/txn/unbound-ok', route: { unboundTransactionToken: 'accept' } },
  { path: '/txn/scoped', policy: requireScope('orders:read') },
  { path: '/txn/admin', policy: requireScope('orders:admin') },
  { path: '/txn/refund', policy: requireTransactionContext(({ tctx }) => tctx?.action === 'refund') },
  { path: '/txn/first-hop', policy: requireRequestingWorkload() },
];

/** What every route answers: who called, how, and the verified transaction context. */
const answer = (identity: WorkloadIdentity | null | undefined) => ({
  workload: identity?.id ?? null,
  proof: identity?.proof ?? null,
  transaction: identity?.transaction ?? null,
});

type AppFactory = (options: WorkloadGuardOptions, tls?: ServerOptions) => Promise<Server>;

const frameworks: Record<'express' | 'fastify' | 'koa' | 'nest-express' | 'nest-fastify', AppFactory> = {
  async express(options, tls) {
    const app = express();
    const pep = expressWimse(options);
    for (const { path, route, policy } of ROUTES) {
      const handlers = [pep.withMode({ ...route }), ...(policy ? [expressPolicy(policy)] : [])];
      app.get(path, ...handlers, (req, res) => {
        res.json(answer(req.workload));
      });
    }
    return tls ? createHttpsServer(tls, app) : createHttpServer(app);
  },
  async fastify(options, tls) {
    const app = (tls ? Fastify({ https: tls }) : Fastify()) as unknown as FastifyInstance;
    await app.register(fastifyWimse, options);
    for (const { path, route, policy } of ROUTES) {
      app.get(
        path,
        { config: { wimse: { ...route } }, ...(policy ? { onRequest: fastifyPolicy(policy) } : {}) },
        async (req) => answer(req.workload),
      );
    }
    await app.ready();
    return app.server as Server;
  },
  async koa(options, tls) {
    const app = new Koa();
    const router = new Router();
    const pep = koaWimse(options);
    for (const { path, route, policy } of ROUTES) {
      router.get(path, pep.withMode({ ...route }), ...(policy ? [koaPolicy(policy)] : []), (ctx) => {
        ctx.body = answer(ctx.state.workload);
      });
    }
    app.use(router.routes());
    return tls ? createHttpsServer(tls, app.callback()) : createHttpServer(app.callback());
  },
  'nest-express': (options, tls) => nestApp('express', options, tls),
  'nest-fastify': (options, tls) => nestApp('fastify', options, tls),
};

/** The routes as a Nest application: each route's settings in `@WimseMode`, its policy in `@WorkloadPolicy`. */
function nestApp(platform: 'express' | 'fastify', options: WorkloadGuardOptions, tls?: ServerOptions) {
  const routes = ROUTES.map(({ path, route, policy }) => ({
    path,
    ...(route === undefined ? {} : { settings: route }),
    ...(policy === undefined ? {} : { policy }),
  }));
  return createNestRoutesServer(platform, options, routes, answer, tls);
}

let scenario: Scenario;
let events: AuditEvent[];
let guardOptions: WorkloadGuardOptions;

before(async () => {
  scenario = await createScenario();
  guardOptions = {
    verifier: scenario.options,
    transactionTokens: {
      audience: TRUST_DOMAIN,
      jwks: { keys: [ttsKey.publicJwk] },
      rejectReplayedTxn: true,
    },
    migration: {
      bearer: {
        jwt: { issuer: BEARER_ISSUER, audience: BEARER_AUDIENCE, jwks: { keys: [bearerKey.publicJwk] } },
        origins: [`wimse://${TRUST_DOMAIN}`],
      },
      mode: 'either',
    },
    audit: (event) => events.push(event),
  };
});
beforeEach(() => {
  events = [];
});

/** A request signed by the caller (HTTP signature, which covers `txn-token` when present). */
function signedWithTxn(path: string, token: string | string[] | undefined): Promise<Outgoing> {
  const headers: Record<string, string> =
    token === undefined ? {} : { 'txn-token': Array.isArray(token) ? token.join(', ') : token };
  return signed(scenario, { path, headers }).then((message) =>
    Array.isArray(token) ? { ...message, headers: { ...message.headers, 'txn-token': token } } : message,
  );
}

/** A request proven by a WPT, whose `tth` binds the Txn-Token unless `claims` says otherwise. */
function wptWithTxn(
  path: string,
  token: string,
  claims: Record<string, unknown> = { tth: tokenHash(token) },
): Outgoing {
  const message = wptWorkloadRequest(scenario, {
    target: path,
    claims: { aud: `${AUDIENCE}${path}`, ...claims },
    headers: { 'txn-token': token },
  });
  return { method: 'GET', path, headers: message.headers };
}

/** Neither the token nor its signature appears anywhere: audit events, problem bodies. */
function assertNoToken(token: string, ...places: unknown[]): void {
  const signature = token.split('.')[2] as string;
  for (const place of places) {
    const text = typeof place === 'string' ? place : JSON.stringify(place);
    assert.ok(!text.includes(signature), 'no Txn-Token in the record');
  }
}

for (const [name, createApp] of Object.entries(frameworks)) {
  describe(`Transaction Tokens through ${name}`, () => {
    let server: Server;
    before(async () => {
      server = await createApp(guardOptions);
    });
    after(() => server.close());

    it('an HTTP-signed call with a Txn-Token: the handler sees the verified, bound context; the audit names txn and hash', async () => {
      const token = mintTxnToken({ key: ttsKey, claims: { txn: `txn-sig-${name}` } });
      const response = await send(server, await signedWithTxn('/txn/optional', token));
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.workload, CALLER_ID);
      assert.equal(response.body.proof, 'http-signature');
      assert.deepEqual(response.body.transaction, {
        bound: true,
        txn: `txn-sig-${name}`,
        sub: 'user:alice',
        scope: 'orders:read orders:write',
        scopes: ['orders:read', 'orders:write'],
        requestingWorkload: 'wimse://td.example/service/gateway',
        tctx: { action: 'refund', amount: 125 },
        rctx: { req_ip: '192.0.2.7' },
        issuer: 'https://tts.td.example',
        issuedAt: NOW_SEC - 10,
        expiresAt: NOW_SEC + 110,
        tokenHash: tokenHash(token),
      });
      const [event] = events;
      assert.equal(event?.decision, 'allow');
      assert.equal(event?.txn, `txn-sig-${name}`);
      assert.equal(event?.txnTokenHash, tokenHash(token));
      assert.equal(event?.txnBound, true);
      assertNoToken(token, events);
    });

    it('a WPT caller whose tth binds the Txn-Token: accepted and bound', async () => {
      const token = mintTxnToken({ key: ttsKey });
      const response = await send(server, wptWithTxn('/txn/optional', token));
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.proof, 'wpt');
      assert.equal(response.body.transaction.bound, true);
      assert.equal(response.body.transaction.tokenHash, tokenHash(token));
    });

    it('no Txn-Token: optional routes answer without a context, a requiring route refuses txn_token_missing', async () => {
      const optional = await send(server, await signedWithTxn('/txn/optional', undefined));
      assert.equal(optional.status, 200, optional.text);
      assert.equal(optional.body.transaction, null);
      expectProblem(await send(server, await signedWithTxn('/txn/required', undefined)), 400, 'txn_token_missing');
      const required = await send(server, await signedWithTxn('/txn/required', mintTxnToken({ key: ttsKey })));
      assert.equal(required.status, 200, required.text);
    });

    const refusals: ReadonlyArray<[string, () => string | string[], string]> = [
      ['not a JWT', () => 'not-a-token', 'txn_token_malformed'],
      ['two field lines', () => [mintTxnToken({ key: ttsKey }), mintTxnToken({ key: ttsKey })], 'txn_token_duplicated'],
      [
        'two tokens joined in one line',
        () => `${mintTxnToken({ key: ttsKey })},${mintTxnToken({ key: ttsKey })}`,
        'txn_token_duplicated',
      ],
      ['a WIT presented as a Txn-Token', () => scenario.wit, 'txn_token_invalid'],
      ['a forged signature', () => mintTxnToken({ key: generateTestKey('ES256', 'tts-1') }), 'txn_token_invalid'],
      ['an unknown key', () => mintTxnToken({ key: generateTestKey('ES256', 'tts-2') }), 'txn_token_unknown_key'],
      [
        'another trust domain',
        () => mintTxnToken({ key: ttsKey, claims: { aud: 'other.example' } }),
        'txn_token_audience_mismatch',
      ],
      [
        'expired',
        () => mintTxnToken({ key: ttsKey, claims: { iat: NOW_SEC - 300, exp: NOW_SEC - 100 } }),
        'txn_token_expired',
      ],
      ['an hour long', () => mintTxnToken({ key: ttsKey, claims: { exp: NOW_SEC + 3590 } }), 'txn_token_lifetime'],
      ['without req_wl', () => mintTxnToken({ key: ttsKey, claims: { req_wl: undefined } }), 'txn_token_malformed'],
    ];
    for (const [what, token, code] of refusals) {
      it(`${what}: 400 ${code}, audited with the hash only`, async () => {
        const value = token();
        const response = await send(server, await signedWithTxn('/txn/optional', value));
        expectProblem(response, 400, code);
        const [event] = events;
        assert.equal(event?.decision, 'deny');
        assert.equal(event?.code, code);
        assert.equal(event?.workloadId, CALLER_ID, 'the caller was authenticated before its Txn-Token was refused');
        if (!Array.isArray(value)) assert.equal(event?.txnTokenHash, tokenHash(value));
        for (const one of [value].flat()) assertNoToken(one, events, response.text);
      });
    }

    it('the same txn twice, where the service refuses replays: 400 txn_token_replay', async () => {
      const txn = `txn-once-${name}`;
      const first = await send(
        server,
        await signedWithTxn('/txn/optional', mintTxnToken({ key: ttsKey, claims: { txn } })),
      );
      assert.equal(first.status, 200, first.text);
      const again = await send(
        server,
        await signedWithTxn('/txn/optional', mintTxnToken({ key: ttsKey, claims: { txn } })),
      );
      expectProblem(again, 400, 'txn_token_replay');
    });

    it('a signature that does not cover txn-token is refused as a signature that misses a required component', async () => {
      const message = await signedWithTxn('/txn/optional', undefined);
      const token = mintTxnToken({ key: ttsKey });
      const response = await send(server, { ...message, headers: { ...message.headers, 'txn-token': token } });
      expectProblem(response, 400, 'signature_profile');
      assertNoToken(token, events);
    });

    it('a WPT without tth, or with the hash of another token, is refused as WPT binding failures are (401)', async () => {
      const token = mintTxnToken({ key: ttsKey });
      for (const claims of [{}, { tth: tokenHash(mintTxnToken({ key: ttsKey })) }]) {
        const response = await send(server, wptWithTxn('/txn/optional', token, claims));
        expectProblem(response, 401, 'wpt_binding_mismatch');
        assert.equal(response.headers['www-authenticate'], 'WPT');
      }
    });

    it('a bearer caller cannot bind a Txn-Token: refused, unless the route accepts it unbound (audited as such)', async () => {
      // A caller that has never sent a WIT (the ratchet refuses bearer tokens from one that has).
      const bearer = await mintBearer({ key: bearerKey, sub: `wimse://td.example/service/legacy-${name}` });
      const token = mintTxnToken({ key: ttsKey });
      const headers = { authorization: `Bearer ${bearer}`, 'txn-token': token };
      const refused = await send(server, { method: 'GET', path: '/txn/optional', headers });
      expectProblem(refused, 400, 'txn_token_unbound');
      events.length = 0;
      const accepted = await send(server, { method: 'GET', path: '/txn/unbound-ok', headers });
      assert.equal(accepted.status, 200, accepted.text);
      assert.equal(accepted.body.proof, 'bearer');
      assert.equal(accepted.body.transaction.bound, false);
      assert.equal(events[0]?.txnBound, false);
      assertNoToken(token, events);
    });

    it('policies read the context: scopes, a tctx predicate, the requesting workload', async () => {
      const token = () => mintTxnToken({ key: ttsKey });
      assert.equal((await send(server, await signedWithTxn('/txn/scoped', token()))).status, 200);
      expectProblem(await send(server, await signedWithTxn('/txn/admin', token())), 403, 'policy_denied');
      expectProblem(await send(server, await signedWithTxn('/txn/scoped', undefined)), 403, 'policy_denied');
      assert.equal((await send(server, await signedWithTxn('/txn/refund', token()))).status, 200);
      const purchase = mintTxnToken({ key: ttsKey, claims: { tctx: { action: 'purchase' } } });
      expectProblem(await send(server, await signedWithTxn('/txn/refund', purchase)), 403, 'policy_denied');
      // req_wl is the gateway by default: the caller is not the first hop.
      expectProblem(await send(server, await signedWithTxn('/txn/first-hop', token())), 403, 'policy_denied');
      const firstHop = mintTxnToken({ key: ttsKey, claims: { req_wl: CALLER_ID } });
      assert.equal((await send(server, await signedWithTxn('/txn/first-hop', firstHop))).status, 200);
    });

    it('createWimseFetch forwards the Txn-Token bound to its proof, HTTP signature and WPT alike', async () => {
      const listening = server.listening ? server : server.listen(0, '127.0.0.1');
      if (!listening.listening) await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
      const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
      for (const proof of ['http-signature', 'wpt'] as const) {
        const token = mintTxnToken({ key: ttsKey });
        const sent: unknown[] = [];
        const wimseFetch = createWimseFetch({
          credentials: { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
          proof,
          audience: (url) => `${AUDIENCE}${url.pathname}`,
          transactionToken: token,
          now,
          onRequest: (request) => sent.push(request),
        });
        const response = await wimseFetch(`${base}/txn/required`);
        const body = (await response.json()) as ReturnType<typeof answer>;
        assert.equal(response.status, 200, JSON.stringify(body));
        assert.equal(body.proof, proof);
        assert.equal(body.transaction?.tokenHash, tokenHash(token), 'forwarded unchanged');
        assert.equal(body.transaction?.bound, true);
        assertNoToken(token, sent);
      }
    });
  });
}

describe('a Transaction Token Service key set that cannot answer', () => {
  for (const [name, createApp] of Object.entries(frameworks)) {
    it(`${name}: 503 unavailable, never a request let through`, async () => {
      const closed = createHttpServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const jwksUri = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const server = await createApp({
        ...guardOptions,
        transactionTokens: { audience: TRUST_DOMAIN, jwksUri, timeoutMs: 500 },
      });
      try {
        const response = await send(server, await signedWithTxn('/txn/optional', mintTxnToken({ key: ttsKey })));
        expectProblem(response, 503, 'unavailable');
      } finally {
        server.close();
      }
    });
  }
});

describe('a Txn-Token from a caller proven by mutual TLS alone', () => {
  let caller: IssuedWorkloadCertificate;
  let serverTls: ServerOptions;
  let serverCaPem: string;
  let options: WorkloadGuardOptions;
  before(async () => {
    const ca = await createDevCertificateAuthority({ trustDomain: TRUST_DOMAIN, now });
    // The service's own TLS certificate is checked by the client on the real clock.
    const serverCa = await createDevCertificateAuthority({ trustDomain: TRUST_DOMAIN });
    const certificate = await serverCa.issueServerCertificate();
    serverCaPem = serverCa.certificatePem;
    serverTls = {
      key: certificate.privateKeyPem,
      cert: certificate.certificatePem,
      requestCert: true,
      rejectUnauthorized: false,
    };
    caller = await ca.issueWorkloadCertificate({ id: CALLER_ID });
    const [domain] = scenario.options.trustDomains;
    assert.ok(domain);
    options = {
      ...guardOptions,
      migration: undefined,
      verifier: { ...scenario.options, trustDomains: [{ ...domain, x509Authorities: [ca.certificatePem] }] },
    };
  });

  for (const [name, createApp] of Object.entries(frameworks)) {
    it(`${name}: refused txn_token_unbound, accepted unbound where the route says so`, async () => {
      const server = await createApp(options, serverTls);
      try {
        const token = mintTxnToken({ key: ttsKey });
        const get = (path: string) =>
          request(server)
            .get(path)
            .ca(serverCaPem)
            .cert(caller.chainPem)
            .key(caller.privateKeyPem)
            .set('txn-token', token);
        const refused = await get('/txn/optional');
        expectProblem(refused, 400, 'txn_token_unbound');
        const accepted = await get('/txn/unbound-ok');
        assert.equal(accepted.status, 200, accepted.text);
        assert.equal(accepted.body.proof, 'mtls');
        assert.equal(accepted.body.transaction.bound, false);
        const plain = await request(server)
          .get('/txn/optional')
          .ca(serverCaPem)
          .cert(caller.chainPem)
          .key(caller.privateKeyPem);
        assert.equal(plain.status, 200, 'without a Txn-Token the certificate alone is enough');
      } finally {
        server.close();
      }
    });
  }
});

describe('Express and Koa: a route that requires a Txn-Token behind an earlier app.use(pep)', () => {
  it('keeps the earlier decision and still refuses a request without one (txn_token_missing)', async () => {
    const expressApp = express();
    const expressPep = expressWimse(guardOptions);
    expressApp.use(expressPep);
    expressApp.get('/late', expressPep.withMode({ transactionToken: 'required' }), (req, res) => {
      res.json(answer(req.workload));
    });
    const koaApp = new Koa();
    const koaPep = koaWimse(guardOptions);
    koaApp.use(koaPep);
    koaApp.use(koaPep.withMode({ transactionToken: 'required' }));
    koaApp.use((ctx) => {
      ctx.body = answer(ctx.state.workload);
    });
    for (const server of [createHttpServer(expressApp), createHttpServer(koaApp.callback())]) {
      try {
        expectProblem(await send(server, await signedWithTxn('/late', undefined)), 400, 'txn_token_missing');
        const token = mintTxnToken({ key: ttsKey });
        const accepted = await send(server, await signedWithTxn('/late', token));
        assert.equal(accepted.status, 200, accepted.text);
        assert.equal(accepted.body.transaction.tokenHash, tokenHash(token));
      } finally {
        server.close();
      }
    }
  });
});

describe('route Txn-Token settings are checked when the route is added', () => {
  it('a route that requires Txn-Tokens of a guard that does not read them: a TypeError at registration', async () => {
    const plain = { verifier: scenario.options };
    assert.throws(
      () => expressWimse(plain).withMode({ transactionToken: 'required' }),
      /transactionToken must be absent/,
    );
    assert.throws(() => koaWimse(plain).withMode({ transactionToken: 'required' }), /transactionToken must be absent/);
    const app = Fastify();
    await app.register(fastifyWimse, plain);
    assert.throws(
      () => app.get('/x', { config: { wimse: { transactionToken: 'required' } } }, async () => 'x'),
      /GET \/x: config\.wimse\.transactionToken must be absent/,
    );
    await app.close();
  });

  it('unknown values, and a requirement on a route that is off, are refused', () => {
    const pep = expressWimse(guardOptions);
    assert.throws(
      () => pep.withMode({ transactionToken: 'always' as never }),
      /withMode: settings\.transactionToken must be one of/,
    );
    assert.throws(
      () => pep.withMode({ unboundTransactionToken: 'maybe' as never }),
      /unboundTransactionToken must be one of/,
    );
    assert.throws(
      () => pep.withMode({ mode: 'off', transactionToken: 'required' }),
      /not 'required' on a route with mode off/,
    );
    assert.throws(() => pep.withMode({ policy: () => true } as never), /requireWorkload/);
  });
});
