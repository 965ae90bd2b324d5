import assert from 'node:assert/strict';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createDevCertificateAuthority,
  type DevCertificateAuthority,
  type IssuedWorkloadCertificate,
} from '@wimse-pep/cli';
import { createWimseFetch, mutualTlsFetch } from '@wimse-pep/client';
import type { AuditEvent, VerifierOptions, WorkloadGuardOptions, WorkloadIdentity } from '@wimse-pep/core';
import { wimse as expressWimse } from '@wimse-pep/express';
import { wimse as fastifyWimse } from '@wimse-pep/fastify';
import { wimse as koaWimse } from '@wimse-pep/koa';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';
import {
  AUDIENCE,
  CALLER_ID,
  createScenario,
  generateTestKey,
  now,
  type Scenario,
  TRUST_DOMAIN,
  wptWorkloadRequest,
} from '../support/index.js';

import { createNestRoutesServer } from './harness-nest.js';

/**
 * Workload Identity Certificates through each framework adapter on real TLS servers
 * (`requestCert`, with the chain validated by the core against the trust domain's CA, not by
 * Node), and forwarded by a trusted proxy as RFC 9440 `Client-Cert` over plain HTTP.
 */
/** Guard options a case sets beside the verifier. */
type GuardExtras = Pick<WorkloadGuardOptions, 'simultaneousCredentials' | 'audit'>;

type ServerFactory = (
  verifier: VerifierOptions,
  tls: ServerOptions | undefined,
  extras?: GuardExtras,
) => Promise<import('node:net').Server>;

/** Who the route sees: the identity, its proof, and both layers when a WIC and a WIT were verified. */
const whoami = (identity: WorkloadIdentity | null | undefined) => ({
  workload: identity?.id ?? null,
  proof: identity?.proof ?? null,
  ...(identity?.layered
    ? { layered: [identity.layered.transport.id, identity.layered.application.proof, identity.layered.application.id] }
    : {}),
});

const frameworks: Record<string, ServerFactory> = {
  async express(verifier, tls, extras) {
    const app = express();
    app.use(expressWimse({ verifier, ...extras }));
    app.get('/whoami', (req, res) => {
      res.json(whoami(req.workload));
    });
    return tls ? createHttpsServer(tls, app) : createHttpServer(app);
  },
  async fastify(verifier, tls, extras) {
    // One instance type for both: Fastify's typings split HTTP and HTTPS servers.
    const app = (tls ? Fastify({ https: tls }) : Fastify()) as unknown as FastifyInstance;
    await app.register(fastifyWimse, { verifier, ...extras });
    app.get('/whoami', async (request) => whoami(request.workload));
    await app.ready();
    return app.server;
  },
  async koa(verifier, tls, extras) {
    const app = new Koa();
    app.use(koaWimse({ verifier, ...extras }));
    app.use((ctx) => {
      ctx.body = whoami(ctx.state.workload);
    });
    return tls ? createHttpsServer(tls, app.callback()) : createHttpServer(app.callback());
  },
  'nest-express': (verifier, tls, extras) =>
    createNestRoutesServer('express', { verifier, ...extras }, [{ path: 'whoami' }], whoami, tls),
  'nest-fastify': (verifier, tls, extras) =>
    createNestRoutesServer('fastify', { verifier, ...extras }, [{ path: 'whoami' }], whoami, tls),
};

/** The TLS-terminating proxy's address; callers connect from 127.0.0.1. */
const PROXY_ADDRESS = '127.0.0.3';

let scenario: Scenario;
let ca: DevCertificateAuthority;
let otherCa: DevCertificateAuthority;
/** Issues the service's own TLS certificate on the real clock, which the client's TLS checks. */
let serverCa: DevCertificateAuthority;
let serverTls: ServerOptions;
let caller: IssuedWorkloadCertificate;
/** The TLS client certificate of the proxy itself, a workload of the same domain. */
let proxy: IssuedWorkloadCertificate;
const PROXY_ID = 'wimse://td.example/service/proxy';
let verifierOptions: VerifierOptions;

before(async () => {
  scenario = await createScenario();
  // The scenario runs on a fixed clock; the certificates are issued on the same one.
  [ca, otherCa, serverCa] = await Promise.all([
    createDevCertificateAuthority({ trustDomain: TRUST_DOMAIN, now }),
    createDevCertificateAuthority({ trustDomain: TRUST_DOMAIN, now }),
    createDevCertificateAuthority({ trustDomain: TRUST_DOMAIN }),
  ]);
  const serverCertificate = await serverCa.issueServerCertificate();
  serverTls = {
    key: serverCertificate.privateKeyPem,
    cert: serverCertificate.certificatePem,
    requestCert: true,
    // The core validates client chains against the CA of the identifier's trust domain and
    // answers a refusal as problem+json; Node's own check would only drop the handshake.
    rejectUnauthorized: false,
  };
  caller = await ca.issueWorkloadCertificate({ id: CALLER_ID });
  proxy = await ca.issueWorkloadCertificate({ id: PROXY_ID });
  const [domain] = scenario.options.trustDomains;
  assert.ok(domain);
  verifierOptions = {
    ...scenario.options,
    trustDomains: [{ ...domain, x509Authorities: [ca.certificatePem] }],
    // The proxy has an address of its own: a trusted hop is never taken for a caller (see below).
    mtls: { trustedProxies: [PROXY_ADDRESS] },
  };
});

interface Answer {
  readonly status: number;
  readonly body: { workload?: string | null; proof?: string | null; code?: string };
}

/** One HTTPS (or HTTP) request with node's client: certificate, CA and source address chosen per case. */
function send(
  url: string,
  options: { certificate?: IssuedWorkloadCertificate; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<Answer> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      target,
      {
        headers: options.headers,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...(target.protocol === 'https:'
          ? {
              ca: serverCa.certificatePem,
              ...(options.certificate
                ? { cert: options.certificate.chainPem, key: options.certificate.privateKeyPem }
                : {}),
            }
          : {}),
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function listen(server: import('node:net').Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

for (const [name, createServer] of Object.entries(frameworks)) {
  describe(`mTLS through ${name}`, () => {
    const servers: import('node:net').Server[] = [];
    let base: string;
    let plainBase: string;
    before(async () => {
      const tlsServer = await createServer(verifierOptions, serverTls);
      servers.push(tlsServer);
      base = `https://127.0.0.1:${await listen(tlsServer)}`;
      const plain = await createServer(verifierOptions, undefined);
      servers.push(plain);
      plainBase = `http://127.0.0.1:${await listen(plain)}`;
    });
    after(async () => {
      for (const server of servers) {
        (server as import('node:http').Server).closeAllConnections?.();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('a WIC presented in the handshake is the identity (proof mtls)', async () => {
      const answer = await send(`${base}/whoami`, { certificate: caller });
      assert.deepEqual(answer, { status: 200, body: { workload: CALLER_ID, proof: 'mtls' } });
    });
    it('the client presents its WIC with mutualTlsFetch', async () => {
      const presenting = mutualTlsFetch({
        certificate: caller.chainPem,
        privateKey: caller.privateKeyPem,
        ca: serverCa.certificatePem,
      });
      try {
        const response = await presenting(`${base}/whoami`);
        assert.ok(response instanceof Response, 'the global Response, whatever undici major fetched it');
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { workload: CALLER_ID, proof: 'mtls' });
      } finally {
        await presenting.close();
      }
    });
    it('no certificate and no WIT: refused as before (credentials_missing where WPTs are accepted)', async () => {
      const answer = await send(`${base}/whoami`);
      assert.equal(answer.status, 401);
      assert.equal(answer.body.code, 'credentials_missing');
    });
    it('[T1][T2][T5] every unacceptable certificate is refused over the real handshake, with its code', async () => {
      const other = await createDevCertificateAuthority({ trustDomain: 'other.example', now });
      const hour = 3600_000;
      const refusals: [string, Promise<IssuedWorkloadCertificate>, string][] = [
        [
          'expired',
          ca.issueWorkloadCertificate({
            id: CALLER_ID,
            unsafe: { notBefore: new Date(now() - 2 * hour), notAfter: new Date(now() - hour) },
          }),
          'certificate_invalid',
        ],
        [
          'not yet valid',
          ca.issueWorkloadCertificate({
            id: CALLER_ID,
            unsafe: { notBefore: new Date(now() + hour), notAfter: new Date(now() + 2 * hour) },
          }),
          'certificate_invalid',
        ],
        [
          'two URI SANs',
          ca.issueWorkloadCertificate({ id: CALLER_ID, unsafe: { uris: [CALLER_ID, 'wimse://td.example/service/b'] } }),
          'certificate_invalid',
        ],
        ['no URI SAN', ca.issueWorkloadCertificate({ id: CALLER_ID, unsafe: { uris: [] } }), 'certificate_invalid'],
        [
          'non-canonical identifier',
          ca.issueWorkloadCertificate({ id: CALLER_ID, unsafe: { uris: ['wimse://td.example/service/%63aller'] } }),
          'identifier_invalid',
        ],
        [
          'self-signed leaf',
          ca.issueWorkloadCertificate({ id: CALLER_ID, unsafe: { selfSigned: true } }),
          'certificate_untrusted',
        ],
        ['an unknown CA', otherCa.issueWorkloadCertificate({ id: CALLER_ID }), 'certificate_untrusted'],
        [
          'the CA of another trust domain',
          other.issueWorkloadCertificate({ id: 'wimse://other.example/x', unsafe: { uris: [CALLER_ID] } }),
          'certificate_untrusted',
        ],
      ];
      for (const [label, issued, code] of refusals) {
        const answer = await send(`${base}/whoami`, { certificate: await issued });
        assert.equal(answer.status, 400, label);
        assert.equal(answer.body.code, code, label);
      }
    });
    it('[T1] a WIC from another CA is refused, never downgraded to anonymous', async () => {
      const forged = await otherCa.issueWorkloadCertificate({ id: CALLER_ID });
      const answer = await send(`${base}/whoami`, { certificate: forged });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.code, 'certificate_untrusted');
    });
    it('[T4] a WIC and a WIT naming the same workload: accepted, the WIT is authoritative', async () => {
      const presenting = mutualTlsFetch({
        certificate: caller.chainPem,
        privateKey: caller.privateKeyPem,
        ca: serverCa.certificatePem,
      });
      const signing = createWimseFetch({
        credentials: { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
        audience: (url) => `${AUDIENCE}${url.pathname}`,
        now,
        fetch: presenting,
      });
      try {
        const response = await signing(`${base}/whoami`);
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), {
          workload: CALLER_ID,
          proof: 'http-signature',
          layered: [CALLER_ID, 'http-signature', CALLER_ID],
        });
      } finally {
        await presenting.close();
      }
    });
    it('[T4] a WIC for workload A with a WIT for workload B is refused (identity_mismatch)', async () => {
      const other = await ca.issueWorkloadCertificate({ id: 'wimse://td.example/service/other' });
      const presenting = mutualTlsFetch({
        certificate: other.chainPem,
        privateKey: other.privateKeyPem,
        ca: serverCa.certificatePem,
      });
      const signing = createWimseFetch({
        credentials: { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
        audience: (url) => `${AUDIENCE}${url.pathname}`,
        now,
        fetch: presenting,
      });
      try {
        const response = await signing(`${base}/whoami`);
        assert.equal(response.status, 400);
        assert.equal(((await response.json()) as { code: string }).code, 'identity_mismatch');
      } finally {
        await presenting.close();
      }
    });
    it('[T3] Client-Cert forwarded by the trusted proxy address is accepted over plain HTTP', async () => {
      const headers = { 'client-cert': `:${Buffer.from(certificateDer(caller.certificatePem)).toString('base64')}:` };
      const answer = await send(`${plainBase}/whoami`, { headers, localAddress: PROXY_ADDRESS });
      assert.deepEqual(answer, { status: 200, body: { workload: CALLER_ID, proof: 'mtls' } });
    });
    it('[T3] Client-Cert from any other address is refused', async () => {
      const headers = { 'client-cert': `:${Buffer.from(certificateDer(caller.certificatePem)).toString('base64')}:` };
      const answer = await send(`${plainBase}/whoami`, { headers, localAddress: '127.0.0.2' });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.code, 'certificate_untrusted');
    });
    it("a trusted proxy is a hop, not a caller: its own TLS certificate without Client-Cert is no caller's", async () => {
      const answer = await send(`${base}/whoami`, { certificate: proxy, localAddress: PROXY_ADDRESS });
      assert.equal(answer.status, 401, JSON.stringify(answer.body));
      assert.equal(answer.body.code, 'credentials_missing', 'no mTLS credential: the proxy is not the caller');
      // The same certificate from an address that is no trusted hop is a caller's certificate.
      assert.deepEqual(await send(`${base}/whoami`, { certificate: proxy }), {
        status: 200,
        body: { workload: PROXY_ID, proof: 'mtls' },
      });
    });
    it('a trusted proxy over TLS with its own certificate forwards the caller in Client-Cert: the caller is the identity', async () => {
      const headers = { 'client-cert': `:${Buffer.from(certificateDer(caller.certificatePem)).toString('base64')}:` };
      const answer = await send(`${base}/whoami`, { certificate: proxy, headers, localAddress: PROXY_ADDRESS });
      assert.deepEqual(answer, { status: 200, body: { workload: CALLER_ID, proof: 'mtls' } });
    });
    it("a trusted proxy's own certificate as the caller only with mtls.acceptProxyCertificate", async () => {
      const server = await createServer(
        { ...verifierOptions, mtls: { trustedProxies: [PROXY_ADDRESS], acceptProxyCertificate: true } },
        serverTls,
      );
      try {
        const url = `https://127.0.0.1:${await listen(server)}/whoami`;
        const answer = await send(url, { certificate: proxy, localAddress: PROXY_ADDRESS });
        assert.deepEqual(answer, { status: 200, body: { workload: PROXY_ID, proof: 'mtls' } });
      } finally {
        (server as import('node:http').Server).closeAllConnections?.();
        await new Promise((resolve) => server.close(resolve));
      }
    });
    it('a WIC beside an Authorization: WPT that does not verify is refused, never accepted as the WIC', async () => {
      for (const authorization of ['WPT eyJhbGciOiJFUzI1NiJ9.e30.AA', `WPT ${'a'.repeat(20)}`]) {
        const answer = await send(`${base}/whoami`, { certificate: caller, headers: { authorization } });
        assert.notEqual(answer.status, 200, `${authorization}: ${JSON.stringify(answer.body)}`);
        assert.ok(['wit_missing', 'wpt_malformed'].includes(String(answer.body.code)), String(answer.body.code));
      }
      // A WPT that fails its own checks beside a WIT and the WIC: the WPT's refusal.
      const forged = wptWorkloadRequest(scenario, {
        target: '/whoami',
        claims: { aud: `${AUDIENCE}/whoami` },
        key: generateTestKey('ES256'),
      });
      const answer = await send(`${base}/whoami`, { certificate: caller, headers: forged.headers });
      assert.equal(answer.status, 401);
      assert.equal(answer.body.code, 'wpt_invalid');
    });
    it('[T4] a WIC and a valid WPT: both verified, the identity and the audit carry both layers', async () => {
      const events: AuditEvent[] = [];
      const server = await createServer(verifierOptions, serverTls, { audit: (event) => events.push(event) });
      try {
        const url = `https://127.0.0.1:${await listen(server)}/whoami`;
        const request = wptWorkloadRequest(scenario, { target: '/whoami', claims: { aud: `${AUDIENCE}/whoami` } });
        const answer = await send(url, { certificate: caller, headers: request.headers });
        assert.deepEqual(answer, {
          status: 200,
          body: { workload: CALLER_ID, proof: 'wpt', layered: [CALLER_ID, 'wpt', CALLER_ID] },
        });
        const event = events.find((e) => e.stage === 'authentication');
        assert.equal(event?.proof, 'wpt');
        assert.equal(event?.layered?.transport.workloadId, CALLER_ID);
        assert.match(String(event?.layered?.transport.keyThumbprint), /^[A-Za-z0-9_-]{43}$/);
        assert.deepEqual(
          { workloadId: event?.layered?.application.workloadId, proof: event?.layered?.application.proof },
          { workloadId: CALLER_ID, proof: 'wpt' },
        );
      } finally {
        (server as import('node:http').Server).closeAllConnections?.();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
}

describe('mTLS: which credential is authoritative', () => {
  it('simultaneousCredentials: the WIC can be made authoritative, and a mismatch allowed', async () => {
    const server = await frameworks.express?.(verifierOptions, serverTls, {
      simultaneousCredentials: { authority: 'mtls', onMismatch: 'allow' },
    });
    assert.ok(server);
    try {
      const base = `https://127.0.0.1:${await listen(server)}`;
      const other = await ca.issueWorkloadCertificate({ id: 'wimse://td.example/service/other' });
      const presenting = mutualTlsFetch({
        certificate: other.chainPem,
        privateKey: other.privateKeyPem,
        ca: serverCa.certificatePem,
      });
      const signing = createWimseFetch({
        credentials: { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
        audience: (url) => `${AUDIENCE}${url.pathname}`,
        now,
        fetch: presenting,
      });
      const response = await signing(`${base}/whoami`);
      await presenting.close();
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        workload: 'wimse://td.example/service/other',
        proof: 'mtls',
        layered: ['wimse://td.example/service/other', 'http-signature', CALLER_ID],
      });
    } finally {
      (server as import('node:http').Server).closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  it('a trust setup with CAs only answers certificate_missing when nothing is presented', async () => {
    const server = await frameworks.koa?.(
      { ...verifierOptions, trustDomains: [{ trustDomain: TRUST_DOMAIN, x509Authorities: [ca.certificatePem] }] },
      serverTls,
    );
    assert.ok(server);
    try {
      const answer = await send(`https://127.0.0.1:${await listen(server)}/whoami`);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.code, 'certificate_missing');
    } finally {
      (server as import('node:http').Server).closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

function certificateDer(pem: string): Uint8Array {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
