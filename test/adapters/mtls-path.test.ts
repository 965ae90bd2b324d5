import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, request as httpsRequest, type ServerOptions } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDevCertificateAuthority, type DevCertificateAuthority } from '@wimse-pep/cli';
import { type VerifierOptions, x509AuthoritiesFromSpiffeBundle } from '@wimse-pep/core';
import { wimse as expressWimse } from '@wimse-pep/express';
import { wimse as fastifyWimse } from '@wimse-pep/fastify';
import { wimse as koaWimse } from '@wimse-pep/koa';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';
import { CaseBuilder, type CorpusCase, corpusCases } from '../../packages/core/test/x509-corpus/corpus-cases.js';
import { OpensslPki } from '../../packages/core/test/x509-corpus/openssl-pki.js';
import { generateTestKey } from '../support/index.js';
import { createNestRoutesServer } from './harness-nest.js';

/**
 * Client certificate chains presented in real TLS handshakes (`requestCert`, the chain validated
 * by the core, not by Node) through each framework adapter: RFC 5280 path validation on cases of
 * the X.509 corpus (packages/core/test/x509-corpus), and certificate authorities bound to origins.
 */
type ServerFactory = (verifier: VerifierOptions, tls: ServerOptions) => Promise<Server>;

const whoami = (identity: { id: string; proof: string } | null | undefined) => ({
  workload: identity?.id ?? null,
  proof: identity?.proof ?? null,
});

const frameworks: Record<string, ServerFactory> = {
  async express(verifier, tls) {
    const app = express();
    app.use(expressWimse({ verifier }));
    app.get('/whoami', (req, res) => {
      res.json(whoami(req.workload));
    });
    return createHttpsServer(tls, app);
  },
  async fastify(verifier, tls) {
    const app = Fastify({ https: tls }) as unknown as FastifyInstance;
    await app.register(fastifyWimse, { verifier });
    app.get('/whoami', async (request) => whoami(request.workload));
    await app.ready();
    return app.server;
  },
  async koa(verifier, tls) {
    const app = new Koa();
    app.use(koaWimse({ verifier }));
    app.use((ctx) => {
      ctx.body = whoami(ctx.state.workload);
    });
    return createHttpsServer(tls, app.callback());
  },
  'nest-express': (verifier, tls) => createNestRoutesServer('express', { verifier }, [{ path: 'whoami' }], whoami, tls),
  'nest-fastify': (verifier, tls) => createNestRoutesServer('fastify', { verifier }, [{ path: 'whoami' }], whoami, tls),
};

/** One case of the corpus per rule, each a chain the core must judge as openssl does. */
const THROUGH_TLS = [
  'valid/root-intermediate-leaf',
  'nc/root-permits-other-host',
  'nc/intermediate-excludes-host',
  'nc/sub-ca-cannot-widen',
  'pathlen/0-with-sub-ca',
  'critical/unknown-on-leaf',
  'critical/unknown-on-intermediate',
  'ca/intermediate-without-keyusage',
  'ca/intermediate-not-ca',
  'length/seven-intermediates',
  'validity/expired-intermediate',
];

interface PresentedChain {
  readonly corpusCase: CorpusCase;
  readonly anchorsPem: readonly string[];
  /** Leaf then intermediates, as the client sends them. */
  readonly chainPem: string;
  readonly keyPem: string;
  /** The identifier in the leaf. */
  readonly id: string;
}

interface Answer {
  readonly status: number;
  readonly body: { workload?: string | null; proof?: string | null; code?: string };
}

let serverCa: DevCertificateAuthority;
let serverTls: ServerOptions;
let scratch: string;
const chains = new Map<string, PresentedChain>();

before(async () => {
  serverCa = await createDevCertificateAuthority({ trustDomain: 'server.example' });
  const serverCertificate = await serverCa.issueServerCertificate();
  serverTls = {
    key: serverCertificate.privateKeyPem,
    cert: serverCertificate.certificatePem,
    requestCert: true,
    rejectUnauthorized: false,
  };
  scratch = mkdtempSync(join(tmpdir(), 'wimse-mtls-path-'));
  const pki = new OpensslPki(scratch);
  for (const id of THROUGH_TLS) {
    const corpusCase = corpusCases.find((candidate) => candidate.id === id);
    assert.ok(corpusCase, `corpus case ${id}`);
    const chain = corpusCase.build(new CaseBuilder(pki, id.replace(/\W/g, '-')));
    const [leaf] = chain.presented;
    assert.ok(leaf);
    chains.set(id, {
      corpusCase,
      anchorsPem: chain.anchors.map((anchor) => anchor.pem),
      chainPem: chain.presented.map((certificate) => certificate.pem).join(''),
      keyPem: readFileSync(leaf.keyFile, 'utf8'),
      id: /URI:([^,\s]+)/.exec(new X509Certificate(leaf.pem).subjectAltName ?? '')?.[1] ?? '',
    });
  }
});

after(() => rmSync(scratch, { recursive: true, force: true }));

/** Starts a server, presents the chain in the handshake, and closes the server. */
async function presentTo(
  createServer: ServerFactory,
  verifier: VerifierOptions,
  client: { chainPem: string; keyPem: string },
): Promise<Answer> {
  const server = await createServer(verifier, serverTls);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise<Answer>((resolve, reject) => {
      const outgoing = httpsRequest(
        `https://127.0.0.1:${port}/whoami`,
        { ca: serverCa.certificatePem, cert: client.chainPem, key: client.keyPem },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
  } finally {
    (server as import('node:http').Server).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
}

for (const [name, createServer] of Object.entries(frameworks)) {
  describe(`RFC 5280 path validation of the handshake's chain through ${name}`, () => {
    for (const id of THROUGH_TLS) {
      it(`${id}: ${corpusCases.find((candidate) => candidate.id === id)?.expected}`, async () => {
        const chain = chains.get(id);
        assert.ok(chain);
        const laterMs = (chain.corpusCase.verifyAfterSec ?? 0) * 1000;
        const answer = await presentTo(
          createServer,
          {
            // The anchors serve the trust domain the leaf names: a refusal is about the path.
            trustDomains: [{ trustDomain: new URL(chain.id).host, x509Authorities: [...chain.anchorsPem] }],
            audiences: ['https://service.example'],
            now: () => Date.now() + laterMs,
          },
          chain,
        );
        if (chain.corpusCase.expected === 'accept') {
          assert.deepEqual(answer, { status: 200, body: { workload: chain.id, proof: 'mtls' } });
        } else {
          assert.equal(answer.status, 400, JSON.stringify(answer.body));
          assert.equal(answer.body.code, 'certificate_invalid');
        }
      });
    }
  });
}

describe('certificate authorities are bound to origins, not to a whole trust domain', () => {
  const WIMSE_ID = 'wimse://td.example/service/orders';
  const SPIFFE_ID = 'spiffe://td.example/ns/orders';
  let ca: DevCertificateAuthority;
  let wimseWic: { chainPem: string; keyPem: string };
  let spiffeWic: { chainPem: string; keyPem: string };
  const base = { audiences: ['https://service.example'] };

  before(async () => {
    ca = await createDevCertificateAuthority({ trustDomain: 'td.example' });
    const [wimse, spiffe] = await Promise.all([
      ca.issueWorkloadCertificate({ id: WIMSE_ID }),
      ca.issueWorkloadCertificate({ id: SPIFFE_ID, unsafe: { uris: [SPIFFE_ID] } }),
    ]);
    wimseWic = { chainPem: wimse.chainPem, keyPem: wimse.privateKeyPem };
    spiffeWic = { chainPem: spiffe.chainPem, keyPem: spiffe.privateKeyPem };
  });

  for (const [name, createServer] of Object.entries(frameworks)) {
    describe(`through ${name}`, () => {
      it('a CA of an mTLS-only domain vouches for wimse:// only: a spiffe:// WIC from it is refused', async () => {
        const verifier = {
          ...base,
          trustDomains: [{ trustDomain: 'td.example', x509Authorities: [ca.certificatePem] }],
        };
        const accepted = await presentTo(createServer, verifier, wimseWic);
        assert.deepEqual(accepted, { status: 200, body: { workload: WIMSE_ID, proof: 'mtls' } });
        const refused = await presentTo(createServer, verifier, spiffeWic);
        assert.equal(refused.status, 400);
        assert.equal(refused.body.code, 'certificate_untrusted');
      });
      it("a plain CA takes the schemes of the domain's issuers: spiffe:// only beside a spiffe:// issuer", async () => {
        const issuer = { jwks: { keys: [generateTestKey('ES256', 'k1').publicJwk] }, origins: ['spiffe://td.example'] };
        const verifier = {
          ...base,
          trustDomains: [{ trustDomain: 'td.example', issuers: [issuer], x509Authorities: [ca.certificatePem] }],
        };
        const accepted = await presentTo(createServer, verifier, spiffeWic);
        assert.deepEqual(accepted, { status: 200, body: { workload: SPIFFE_ID, proof: 'mtls' } });
        const refused = await presentTo(createServer, verifier, wimseWic);
        assert.equal(refused.status, 400);
        assert.equal(refused.body.code, 'certificate_untrusted');
      });
      it("a SPIFFE bundle's X.509 authority vouches for spiffe:// only: a wimse:// WIC from it is refused", async () => {
        const x5c = [ca.certificatePem.replace(/-----[A-Z ]+-----|\s+/g, '')];
        const bundle = { keys: [{ use: 'x509-svid', kty: 'EC', x5c }] };
        const verifier = {
          ...base,
          trustDomains: [{ trustDomain: 'td.example', x509Authorities: x509AuthoritiesFromSpiffeBundle(bundle) }],
        };
        const accepted = await presentTo(createServer, verifier, spiffeWic);
        assert.deepEqual(accepted, { status: 200, body: { workload: SPIFFE_ID, proof: 'mtls' } });
        const refused = await presentTo(createServer, verifier, wimseWic);
        assert.equal(refused.status, 400);
        assert.equal(refused.body.code, 'certificate_untrusted');
      });
      it('a CA configured for both schemes vouches for both', async () => {
        const verifier = {
          ...base,
          trustDomains: [
            {
              trustDomain: 'td.example',
              x509Authorities: [{ certificate: ca.certificatePem, schemes: ['wimse', 'spiffe'] as const }],
            },
          ],
        };
        assert.deepEqual(await presentTo(createServer, verifier, wimseWic), {
          status: 200,
          body: { workload: WIMSE_ID, proof: 'mtls' },
        });
        assert.deepEqual(await presentTo(createServer, verifier, spiffeWic), {
          status: 200,
          body: { workload: SPIFFE_ID, proof: 'mtls' },
        });
      });
    });
  }
});
