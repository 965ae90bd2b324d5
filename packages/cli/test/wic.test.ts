import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createWorkloadGuard, parseSubjectAltNames, type WimseError } from '@wimse-pep/core';
import { requestTransport } from '@wimse-pep/core/node';
import { createDevCertificateAuthority } from '../src/index.js';
import { runCli, tempDir } from './support/run-cli.js';

const dir = tempDir();
const path = (name: string) => join(dir, name);
const SUB = 'wimse://example.com/service/checkout';

describe('ca and mint-wic', () => {
  it('creates a CA and issues a WIC whose one URI SAN is the workload, chaining to the CA', async () => {
    const ca = await runCli(['ca', '--trust-domain', 'example.com', '--out', path('ca')]);
    assert.equal(ca.code, 0, ca.stderr);
    assert.equal(statSync(path('ca.key.pem')).mode & 0o777, 0o600);
    const caCert = new X509Certificate(readFileSync(path('ca.pem')));
    assert.equal(caCert.ca, true);

    const minted = await runCli(['mint-wic', '--ca', path('ca'), '--sub', SUB, '--out', path('wic'), '--ttl', '600']);
    assert.equal(minted.code, 0, minted.stderr);
    assert.equal(statSync(path('wic.key.pem')).mode & 0o777, 0o600);
    const leaf = new X509Certificate(readFileSync(path('wic.pem')));
    assert.deepEqual(parseSubjectAltNames(leaf.subjectAltName), [{ type: 'URI', value: SUB }]);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey));
    const lifetimeMs = Date.parse(leaf.validTo) - Date.now();
    assert.ok(lifetimeMs > 500_000 && lifetimeMs <= 600_000, `lifetime ${lifetimeMs} ms`);
  });

  it('refuses a workload outside the CA trust domain, a missing CA, and files that exist', async () => {
    const outside = await runCli([
      'mint-wic',
      '--ca',
      path('ca'),
      '--sub',
      'wimse://other.example/x',
      '--out',
      path('x'),
    ]);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /outside the CA's trust domain/);
    const missing = await runCli(['mint-wic', '--ca', path('nope'), '--sub', SUB, '--out', path('x')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read CA certificate/);
    const again = await runCli(['mint-wic', '--ca', path('ca'), '--sub', SUB, '--out', path('wic')]);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /exists; pass --force/);
  });

  it('refuses a CA key that does not belong to the CA certificate', async () => {
    assert.equal((await runCli(['ca', '--trust-domain', 'example.com', '--out', path('ca2')])).code, 0);
    const mixed = path('mixed');
    writeFileSync(`${mixed}.pem`, readFileSync(path('ca.pem')));
    writeFileSync(`${mixed}.key.pem`, readFileSync(path('ca2.key.pem')));
    const refused = await runCli(['mint-wic', '--ca', mixed, '--sub', SUB, '--out', path('y')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /does not belong to the CA certificate/);
  });
});

describe('inspect a WIC', () => {
  it('shows the workload and checks the chain with --ca', async () => {
    const shown = await runCli(['inspect', path('wic.pem'), '--ca', path('ca.pem')]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`workload: +${SUB}`));
    assert.match(shown.stdout, /chain check: valid/);
    assert.match(shown.stdout, /verdict: +valid WIC/);
  });
  it('exits 1 when the chain leads to another CA', async () => {
    const refused = await runCli(['inspect', path('wic.pem'), '--ca', path('ca2.pem')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /chain check: INVALID \(certificate_untrusted/);
  });
  it('decodes without checking when no CA is given', async () => {
    const shown = await runCli(['inspect', path('wic.pem')]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /chain check: not done/);
  });
});

describe('request over mutual TLS', () => {
  let server: Server;
  let base: string;
  before(async () => {
    const serverCa = await createDevCertificateAuthority({ trustDomain: 'example.com' });
    const tls = await serverCa.issueServerCertificate();
    writeFileSync(path('server-ca.pem'), serverCa.certificatePem);
    const guard = createWorkloadGuard({
      verifier: {
        trustDomains: [{ trustDomain: 'example.com', x509Authorities: [readFileSync(path('ca.pem'), 'utf8')] }],
        audiences: ['https://svc.example'],
      },
    });
    server = createServer(
      { key: tls.privateKeyPem, cert: tls.certificatePem, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const request = {
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          headers: req.headers,
          transport: requestTransport(req.socket),
        };
        guard.authenticate(request, { route: '/' }).then(
          (identity) =>
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ workload: identity?.id })),
          (error: WimseError) =>
            res
              .writeHead(error.status, { 'content-type': 'application/problem+json' })
              .end(JSON.stringify(error.toProblem())),
        );
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('presents a WIC with --tls-cert/--tls-key: the service sees the workload', async () => {
    const tlsArgs = [
      '--tls-cert',
      path('wic.pem'),
      '--tls-key',
      path('wic.key.pem'),
      '--cacert',
      path('server-ca.pem'),
    ];
    const result = await runCli(['request', `${base}/orders`, ...tlsArgs]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /mutual TLS/);
    assert.match(result.stdout, new RegExp(SUB.replaceAll('/', '\\/')));
  });
  it('exits 1 when the service refuses the certificate (another CA)', async () => {
    assert.equal((await runCli(['mint-wic', '--ca', path('ca2'), '--sub', SUB, '--out', path('forged')])).code, 0);
    const tlsArgs = [
      '--tls-cert',
      path('forged.pem'),
      '--tls-key',
      path('forged.key.pem'),
      '--cacert',
      path('server-ca.pem'),
    ];
    const result = await runCli(['request', `${base}/orders`, ...tlsArgs]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /400.*certificate_untrusted/);
  });
  it('usage errors: half of the pair, a plain http URL, --cacert alone', async () => {
    const half = await runCli(['request', `${base}/orders`, '--tls-cert', path('wic.pem')]);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /go together/);
    const plain = await runCli([
      'request',
      'http://127.0.0.1:9/x',
      '--tls-cert',
      path('wic.pem'),
      '--tls-key',
      path('wic.key.pem'),
    ]);
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, /needs an https URL/);
    const alone = await runCli(['request', `${base}/orders`, '--cacert', path('server-ca.pem')]);
    assert.equal(alone.code, 2);
  });
});
