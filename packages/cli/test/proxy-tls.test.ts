import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { type RunningHaproxy, startHaproxy } from './proxy/haproxy.js';
import { type Echoed, fieldValues, freePort, type RunningSidecar, startSidecar } from './proxy/processes.js';
import { rawExchange } from './proxy/raw-exchange.js';
import { CALLER, createSidecarWorld, type SidecarWorld, TD } from './proxy/sidecar-fixture.js';
import { runCli } from './support/run-cli.js';

/** The address HAProxy connects from: the one trusted hop. Direct callers come from 127.0.0.1. */
const HOP = '127.0.0.2';

let world: SidecarWorld;
let behindHaproxy: RunningSidecar;
let direct: RunningSidecar;
let haproxy: RunningHaproxy;
let sidecarPort: number;

function baseConfig(port: number, origin: string) {
  return {
    listen: { host: '127.0.0.1', port },
    upstream: { url: world.upstream.origin },
    verifier: {
      trustDomains: [
        {
          trustDomain: TD,
          issuers: [{ issuer: world.issuer.issuer, jwksUri: world.issuer.jwksUri }],
          x509Authorities: [{ file: 'ca.pem' }],
        },
      ],
      audiences: [origin],
    },
    routes: [{ path: '/' }],
  };
}

before(async () => {
  world = await createSidecarWorld();
  const ca = world.issuer.certificateAuthority;
  writeFileSync(world.file('ca.pem'), ca.certificatePem);
  const wic = await world.issuer.issueWic({ sub: CALLER });
  writeFileSync(world.file('wic.pem'), wic.certificatePem);
  writeFileSync(world.file('wic.key'), wic.privateKeyPem);
  const server = await ca.issueServerCertificate();
  writeFileSync(world.file('server.pem'), server.certificatePem);
  writeFileSync(world.file('server.key'), server.privateKeyPem);

  sidecarPort = await freePort();
  // Behind HAProxy the audience is the front proxy's origin; its connections come from HOP.
  const behind = baseConfig(sidecarPort, 'https://127.0.0.1');
  behindHaproxy = await startSidecar([
    '--config',
    world.writeConfig('behind.yaml', { ...behind, verifier: { ...behind.verifier, trustedProxies: [HOP] } }),
  ]);
  haproxy = await startHaproxy({
    dir: world.dir,
    certificatePem: server.certificatePem,
    privateKeyPem: server.privateKeyPem,
    clientCaPem: ca.certificatePem,
    backendPort: sidecarPort,
    sourceAddress: HOP,
  });

  const directPort = await freePort();
  direct = await startSidecar([
    '--config',
    world.writeConfig('direct.yaml', {
      ...baseConfig(directPort, `https://127.0.0.1:${directPort}`),
      listen: {
        host: '127.0.0.1',
        port: directPort,
        tls: { cert: { file: 'server.pem' }, key: { file: 'server.key' }, clientCa: { file: 'ca.pem' } },
      },
    }),
  ]);
});
after(async () => {
  await haproxy?.stop();
  await behindHaproxy?.stop();
  await direct?.stop();
  await world?.close();
});

/** A plain HTTPS request without a client certificate (node:https, the dev CA as the only anchor). */
function httpsGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: world.issuer.certificateAuthority.certificatePem, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const mutualTls = () => [
  '--tls-cert',
  world.file('wic.pem'),
  '--tls-key',
  world.file('wic.key'),
  '--cacert',
  world.file('ca.pem'),
];

describe('wimse-pep proxy behind HAProxy: RFC 9440 Client-Cert from a trusted hop', () => {
  it('HAProxy terminates TLS and forwards the WIC: accepted as mtls, the upstream gets the identity, not the certificate', async () => {
    const before = await world.upstream.count();
    const result = await runCli(['request', `https://127.0.0.1:${haproxy.port}/orders/1`, ...mutualTls(), '--silent']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const seen = JSON.parse(result.stdout) as Echoed;
    assert.deepEqual(fieldValues(seen, 'wimse-workload-id'), [CALLER]);
    assert.deepEqual(fieldValues(seen, 'wimse-proof'), ['mtls']);
    assert.deepEqual(fieldValues(seen, 'client-cert'), [], 'the forwarded certificate was consumed');
    assert.equal(await world.upstream.count(), before + 1);
  });

  it('a caller without a certificate cannot smuggle a Client-Cert through HAProxy', async () => {
    const der = new X509Certificate(world.issuer.certificateAuthority.certificatePem).raw.toString('base64');
    const before = await world.upstream.count();
    const answer = await httpsGet(`https://127.0.0.1:${haproxy.port}/orders/1`, { 'client-cert': `:${der}:` });
    // HAProxy deleted the caller's Client-Cert: no credentials at all reached the sidecar.
    assert.equal(answer.status, 401, answer.body);
    assert.equal((JSON.parse(answer.body) as { code: string }).code, 'credentials_missing');
    assert.equal(await world.upstream.count(), before);
  });

  it('the same Client-Cert sent straight to the sidecar from an address that is not a trusted hop: refused', async () => {
    const der = new X509Certificate((await world.issuer.issueWic({ sub: CALLER })).certificatePem).raw.toString(
      'base64',
    );
    const before = await world.upstream.count();
    const answer = await rawExchange(
      sidecarPort,
      `GET /orders/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nClient-Cert: :${der}:\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(answer.status, 400, answer.text);
    assert.equal((JSON.parse(answer.body) as { code: string }).code, 'certificate_untrusted');
    assert.equal(await world.upstream.count(), before);
  });
});

describe('wimse-pep proxy over HTTPS with client certificates', () => {
  it('a WIC in the handshake: accepted as mtls', async () => {
    const result = await runCli(['request', `${direct.url}/orders/2`, ...mutualTls(), '--silent']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const seen = JSON.parse(result.stdout) as Echoed;
    assert.deepEqual(fieldValues(seen, 'wimse-proof'), ['mtls']);
    assert.deepEqual(fieldValues(seen, 'wimse-workload-id'), [CALLER]);
  });

  it('a signed request over HTTPS with the WIC too: layered, the WIT and the signature verified', async () => {
    const result = await runCli([
      'request',
      `${direct.url}/orders/3`,
      ...mutualTls(),
      '--wit',
      world.file('caller.wit'),
      '--key',
      world.file('caller.jwk'),
      '--silent',
    ]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const seen = JSON.parse(result.stdout) as Echoed;
    assert.deepEqual(fieldValues(seen, 'wimse-workload-id'), [CALLER]);
  });
});
