import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { createDevCertificateAuthority, type DevCertificateAuthority } from '@wimse-pep/cli';
import {
  type AuditEvent,
  createVerifier,
  createWorkloadGuard,
  isWimseError,
  parseSubjectAltNames,
  requireProof,
  type VerifierOptions,
  type WorkloadRequest,
  x509AuthoritiesFromSpiffeBundle,
} from '@wimse-pep/core';
import { CALLER_ID, createScenario, now, signedWorkloadRequest, TRUST_DOMAIN } from '../../support/index.js';

const ID = 'wimse://td.example/service/orders';
const der = (pem: string) => new X509Certificate(pem).raw;

let caA: DevCertificateAuthority;
let caB: DevCertificateAuthority;
let caStranger: DevCertificateAuthority;
let options: VerifierOptions;

before(async () => {
  [caA, caB, caStranger] = await Promise.all([
    createDevCertificateAuthority({ trustDomain: 'td.example' }),
    createDevCertificateAuthority({ trustDomain: 'other.example' }),
    createDevCertificateAuthority({ trustDomain: 'td.example' }),
  ]);
  options = {
    trustDomains: [
      { trustDomain: 'td.example', x509Authorities: [caA.certificatePem] },
      { trustDomain: 'other.example', x509Authorities: [caB.certificatePem] },
    ],
    audiences: ['https://service.example'],
    mtls: { trustedProxies: ['127.0.0.1'] },
  };
});

function overTls(chainPem: string): WorkloadRequest {
  const chain = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return { method: 'GET', target: '/', headers: {}, transport: { peerCertificates: chain.map(der) } };
}

async function refusal(request: WorkloadRequest, verifierOptions = options): Promise<string> {
  try {
    await createVerifier(verifierOptions).verifyClientCertificate(request);
  } catch (error) {
    assert.ok(isWimseError(error), `expected a WimseError, got ${String(error)}`);
    assert.equal(error.status, 400);
    return error.code;
  }
  assert.fail('the certificate was accepted');
}

describe('mTLS: Workload Identity Certificates from the TLS handshake', () => {
  it('accepts a WIC of the CA configured for its trust domain', async () => {
    const wic = await caA.issueWorkloadCertificate({ id: ID });
    const identity = await createVerifier(options).verifyClientCertificate(overTls(wic.chainPem));
    assert.equal(identity?.proof, 'mtls');
    assert.equal(identity?.id, ID);
    assert.equal(identity?.trustDomain, 'td.example');
    assert.equal(identity?.origin, 'wimse://td.example');
    assert.equal(identity?.keyThumbprint, createHash('sha256').update(der(wic.certificatePem)).digest('base64url'));
    assert.equal(identity?.expiresAt, Math.floor(Date.parse(new X509Certificate(wic.certificatePem).validTo) / 1000));
  });
  it('accepts the leaf alone (the anchor is configured, not presented)', async () => {
    const wic = await caA.issueWorkloadCertificate({ id: ID });
    const identity = await createVerifier(options).verifyClientCertificate(overTls(wic.certificatePem));
    assert.equal(identity?.id, ID);
  });
  it('returns undefined when no certificate was presented', async () => {
    assert.equal(
      await createVerifier(options).verifyClientCertificate({ method: 'GET', target: '/', headers: {} }),
      undefined,
    );
  });
  it('[T5] refuses an expired certificate', async () => {
    const wic = await caA.issueWorkloadCertificate({
      id: ID,
      unsafe: { notBefore: new Date(Date.now() - 7200_000), notAfter: new Date(Date.now() - 3600_000) },
    });
    assert.equal(await refusal(overTls(wic.chainPem)), 'certificate_invalid');
  });
  it('[T5] refuses a certificate that is not yet valid', async () => {
    const wic = await caA.issueWorkloadCertificate({
      id: ID,
      unsafe: { notBefore: new Date(Date.now() + 3600_000), notAfter: new Date(Date.now() + 7200_000) },
    });
    assert.equal(await refusal(overTls(wic.chainPem)), 'certificate_invalid');
  });
  it('[T5] refuses a self-signed leaf', async () => {
    const wic = await caA.issueWorkloadCertificate({ id: ID, unsafe: { selfSigned: true } });
    assert.equal(await refusal(overTls(wic.certificatePem)), 'certificate_untrusted');
  });
  it('refuses a certificate from an unconfigured CA, even one naming itself after the trust domain', async () => {
    const wic = await caStranger.issueWorkloadCertificate({ id: ID });
    assert.equal(await refusal(overTls(wic.chainPem)), 'certificate_untrusted');
  });
  it('[T1] refuses a certificate of domain A vouched for by the CA of domain B', async () => {
    const wic = await caB.issueWorkloadCertificate({ id: 'wimse://other.example/x', unsafe: { uris: [ID] } });
    assert.equal(await refusal(overTls(wic.chainPem)), 'certificate_untrusted');
  });
  it('[T1] refuses an identity in a trust domain with no configured CA', async () => {
    const wic = await caA.issueWorkloadCertificate({ id: ID, unsafe: { uris: ['wimse://nowhere.example/svc'] } });
    assert.equal(await refusal(overTls(wic.chainPem)), 'certificate_untrusted');
  });
  it('[T2] refuses two URI SANs and no URI SAN', async () => {
    const two = await caA.issueWorkloadCertificate({ id: ID, unsafe: { uris: [ID, 'wimse://td.example/service/b'] } });
    assert.equal(await refusal(overTls(two.chainPem)), 'certificate_invalid');
    const none = await caA.issueWorkloadCertificate({ id: ID, unsafe: { uris: [] } });
    assert.equal(await refusal(overTls(none.chainPem)), 'certificate_invalid');
  });
  it('[T2] refuses a non-canonical identifier in the URI SAN', async () => {
    for (const uri of ['wimse://td.example/service/%6Frders', 'wimse://td.example/service/../orders']) {
      const wic = await caA.issueWorkloadCertificate({ id: ID, unsafe: { uris: [uri] } });
      assert.equal(await refusal(overTls(wic.chainPem)), 'identifier_invalid', uri);
    }
  });
  it('refuses a CA certificate presented as the client certificate', async () => {
    assert.equal(await refusal(overTls(caA.certificatePem)), 'certificate_invalid');
  });
  it('refuses bytes that are not a certificate', async () => {
    const request = {
      method: 'GET',
      target: '/',
      headers: {},
      transport: { peerCertificates: [new Uint8Array([48, 3, 1, 2, 3])] },
    };
    assert.equal(await refusal(request), 'certificate_invalid');
  });
});

describe('mTLS: certificates forwarded by a TLS-terminating proxy (RFC 9440)', () => {
  const forwarded = (pem: string, remoteAddress: string, chain: string[] = []): WorkloadRequest => ({
    method: 'GET',
    target: '/',
    headers: {
      'client-cert': `:${Buffer.from(der(pem)).toString('base64')}:`,
      ...(chain.length
        ? { 'client-cert-chain': chain.map((c) => `:${Buffer.from(der(c)).toString('base64')}:`).join(', ') }
        : {}),
    },
    transport: { remoteAddress },
  });
  it('accepts Client-Cert from a configured hop (also as an IPv4-mapped address)', async () => {
    const wic = await caA.issueWorkloadCertificate({ id: ID });
    const verifier = createVerifier(options);
    assert.equal((await verifier.verifyClientCertificate(forwarded(wic.certificatePem, '127.0.0.1')))?.id, ID);
    const mapped = forwarded(wic.certificatePem, '::ffff:127.0.0.1', [caA.certificatePem]);
    assert.equal((await verifier.verifyClientCertificate(mapped))?.id, ID);
  });
  it('[T3] refuses Client-Cert from any other hop, and with no known hop', async () => {
    const wic = await caA.issueWorkloadCertificate({ id: ID });
    assert.equal(await refusal(forwarded(wic.certificatePem, '127.0.0.2')), 'certificate_untrusted');
    const { transport: _omitted, ...noTransport } = forwarded(wic.certificatePem, '127.0.0.1');
    assert.equal(await refusal(noTransport), 'certificate_untrusted');
    const noProxies = { ...options, mtls: {} };
    assert.equal(await refusal(forwarded(wic.certificatePem, '127.0.0.1'), noProxies), 'certificate_untrusted');
  });
  it('[T3] a forwarded certificate never overrides the handshake of an untrusted peer', async () => {
    const mine = await caA.issueWorkloadCertificate({ id: 'wimse://td.example/service/mine' });
    const claimed = await caA.issueWorkloadCertificate({ id: ID });
    const request = {
      ...forwarded(claimed.certificatePem, '127.0.0.9'),
      transport: { remoteAddress: '127.0.0.9', peerCertificates: [der(mine.certificatePem)] },
    };
    assert.equal(await refusal(request), 'certificate_untrusted');
  });
  it('refuses a malformed or repeated Client-Cert', async () => {
    const wic = await caA.issueWorkloadCertificate({ id: ID });
    const good = forwarded(wic.certificatePem, '127.0.0.1');
    assert.equal(await refusal({ ...good, headers: { 'client-cert': 'not-bytes' } }), 'certificate_invalid');
    const line = good.headers['client-cert'] as string;
    assert.equal(await refusal({ ...good, headers: { 'client-cert': [line, line] } }), 'certificate_invalid');
  });
});

describe('mTLS: configuration', () => {
  it('refuses anchors that are not CA certificates, or not certificates', async () => {
    const wic = await caA.issueWorkloadCertificate({ id: ID });
    const withAnchor = (anchor: string) => ({
      ...options,
      trustDomains: [{ trustDomain: 'td.example', x509Authorities: [anchor] }],
    });
    assert.throws(() => createVerifier(withAnchor(wic.certificatePem)), /not a CA certificate/);
    assert.throws(
      () => createVerifier(withAnchor('garbage')),
      /x509Authorities\[0\] must be a PEM certificate \(BEGIN CERTIFICATE\) or DER bytes/,
    );
  });
  it('refuses a CA entry whose schemes are not wimse and/or spiffe, once each', () => {
    const withEntry = (entry: unknown) => ({
      ...options,
      trustDomains: [{ trustDomain: 'td.example', x509Authorities: [entry as string] }],
    });
    const at = 'createVerifier: trustDomains\\[0\\]\\.x509Authorities\\[0\\]';
    assert.throws(
      () => createVerifier(withEntry({ certificate: caA.certificatePem, schemes: [] })),
      new RegExp(
        `^TypeError: ${at}\\.schemes must be a non-empty array of "wimse" and/or "spiffe", got an array of 0$`,
      ),
    );
    assert.throws(
      () => createVerifier(withEntry({ certificate: caA.certificatePem, schemes: ['https'] })),
      new RegExp(`^TypeError: ${at}\\.schemes\\[0\\] must be "wimse" or "spiffe", once each, got the string "https"$`),
    );
    assert.throws(
      () => createVerifier(withEntry({ certificate: caA.certificatePem, schemes: ['wimse', 'wimse'] })),
      new RegExp(`^TypeError: ${at}\\.schemes\\[1\\] must be "wimse" or "spiffe", once each`),
    );
    assert.throws(
      () => createVerifier(withEntry({ certificate: 42, schemes: ['wimse'] })),
      new RegExp(`^TypeError: ${at}\\.certificate must be a PEM string or DER bytes, got the number 42$`),
    );
    assert.throws(
      () => createVerifier(withEntry({ certificate: caA.certificatePem, origins: ['wimse://td.example'] })),
      new RegExp(`^TypeError: ${at}\\.origins must be absent \\(the options are certificate, schemes\\)`),
    );
    assert.throws(() => createVerifier(withEntry(42)), new RegExp(`^TypeError: ${at} must be a PEM string`));
    assert.doesNotThrow(() => createVerifier(withEntry({ certificate: caA.certificatePem, schemes: ['spiffe'] })));
  });
  it('allows a trust domain trusted for mTLS only, and refuses one with neither issuers nor CAs', () => {
    assert.doesNotThrow(() => createVerifier(options));
    assert.throws(
      () => createVerifier({ ...options, trustDomains: [{ trustDomain: 'td.example' }] }),
      /trustDomains\[0\]\.issuers must be a non-empty array of issuers/,
    );
  });
  it('refuses trusted proxies that are not IP addresses', () => {
    assert.throws(
      () => createVerifier({ ...options, mtls: { trustedProxies: ['proxy.internal'] } }),
      /mtls.trustedProxies/,
    );
  });
  it("reads a SPIFFE bundle's x509-svid authorities, which vouch for spiffe:// identities only", async () => {
    const x5c = Buffer.from(der(caA.certificatePem)).toString('base64');
    const bundle = {
      keys: [
        { use: 'x509-svid', kty: 'EC', x5c: [x5c] },
        { use: 'jwt-svid', kty: 'EC' },
      ],
    };
    const authorities = x509AuthoritiesFromSpiffeBundle(bundle);
    assert.equal(authorities.length, 1);
    assert.deepEqual(authorities[0]?.schemes, ['spiffe']);
    const verifierOptions = { ...options, trustDomains: [{ trustDomain: 'td.example', x509Authorities: authorities }] };
    const verifier = createVerifier(verifierOptions);
    const spiffeId = 'spiffe://td.example/orders';
    const svid = await caA.issueWorkloadCertificate({ id: spiffeId, unsafe: { uris: [spiffeId] } });
    assert.equal((await verifier.verifyClientCertificate(overTls(svid.chainPem)))?.id, spiffeId);
    const wic = await caA.issueWorkloadCertificate({ id: ID });
    assert.equal(await refusal(overTls(wic.chainPem), verifierOptions), 'certificate_untrusted');
    assert.throws(() => x509AuthoritiesFromSpiffeBundle({ keys: [] }), /no x509-svid authority/);
  });
});

describe('mTLS: SubjectAltName text as Node prints it', () => {
  it('reads plain and JSON-quoted entries', () => {
    assert.deepEqual(parseSubjectAltNames('URI:wimse://a.example/x, DNS:a.example'), [
      { type: 'URI', value: 'wimse://a.example/x' },
      { type: 'DNS', value: 'a.example' },
    ]);
    assert.deepEqual(parseSubjectAltNames('URI:"wimse://a.example/x\\u002c DNS:evil", IP Address:127.0.0.1'), [
      { type: 'URI', value: 'wimse://a.example/x, DNS:evil' },
      { type: 'IP Address', value: '127.0.0.1' },
    ]);
    assert.deepEqual(parseSubjectAltNames(undefined), []);
  });
  it('refuses what it cannot read', () => {
    assert.throws(
      () => parseSubjectAltNames('URI:"unterminated'),
      (e) => isWimseError(e) && e.code === 'certificate_invalid',
    );
    assert.throws(
      () => parseSubjectAltNames('no-colon'),
      (e) => isWimseError(e) && e.code === 'certificate_invalid',
    );
  });
});

describe('mTLS: a WIC and a WIT on one request (the guard)', () => {
  it('[T4] a WIC for workload A with a WIT for workload B is refused by default; the same workload is accepted', async () => {
    const scenario = await createScenario();
    const ca = await createDevCertificateAuthority({ trustDomain: TRUST_DOMAIN, now });
    const [domain] = scenario.options.trustDomains;
    assert.ok(domain);
    const verifier = { ...scenario.options, trustDomains: [{ ...domain, x509Authorities: [ca.certificatePem] }] };
    const withCertificate = async (id: string) => {
      const wic = await ca.issueWorkloadCertificate({ id });
      const signed = await signedWorkloadRequest(scenario);
      return { ...signed, transport: { peerCertificates: [der(wic.certificatePem)] } };
    };
    const route = { route: '/orders' };
    const guard = createWorkloadGuard({ verifier });
    await assert.rejects(
      guard.authenticate(await withCertificate('wimse://td.example/service/someone-else'), route),
      (error) => isWimseError(error) && error.code === 'identity_mismatch' && error.status === 400,
    );
    const same = await guard.authenticate(await withCertificate(CALLER_ID), route);
    assert.equal(same?.proof, 'http-signature');
    assert.equal(same?.id, CALLER_ID);
    const certificateFirst = createWorkloadGuard({ verifier, simultaneousCredentials: { authority: 'mtls' } });
    const mtls = await certificateFirst.authenticate(await withCertificate(CALLER_ID), route);
    assert.equal(mtls?.proof, 'mtls');
    assert.throws(
      () => createWorkloadGuard({ verifier, simultaneousCredentials: { authority: 'x' as 'wit' } }),
      /authority/,
    );
  });
});

describe('mTLS: audit and per-route proofs', () => {
  it('audit events name the proof, and requireProof("mtls") refuses a WIT caller on an mTLS-only route', async () => {
    const scenario = await createScenario();
    const ca = await createDevCertificateAuthority({ trustDomain: TRUST_DOMAIN, now });
    const [domain] = scenario.options.trustDomains;
    assert.ok(domain);
    const events: AuditEvent[] = [];
    const guard = createWorkloadGuard({
      verifier: { ...scenario.options, trustDomains: [{ ...domain, x509Authorities: [ca.certificatePem] }] },
      audit: (event) => events.push(event),
    });
    const wic = await ca.issueWorkloadCertificate({ id: CALLER_ID });
    const overTlsRequest = {
      method: 'GET',
      target: '/',
      headers: {},
      transport: { peerCertificates: [der(wic.certificatePem)] },
    };
    const route = { route: '/stock' };
    const byCertificate = await guard.authenticate(overTlsRequest, route);
    assert.equal(events.at(-1)?.proof, 'mtls');
    await guard.authorize(byCertificate, overTlsRequest, requireProof('mtls'), route);
    const signed = await signedWorkloadRequest(scenario);
    const byWit = await guard.authenticate(signed, route);
    assert.equal(events.at(-1)?.proof, 'http-signature');
    await assert.rejects(
      guard.authorize(byWit, signed, requireProof('mtls'), route),
      (error) => isWimseError(error) && error.code === 'policy_denied',
    );
  });
});
