/**
 * Captures from peer implementations: the Cofide proof of concept (three README generations) and
 * the SPIFFE WIT-SVID example with a SPIFFE trust bundle. Their WIT issuer keys were never
 * published, so the RFC 9421 layer is checked with each WIT's cnf key, and the WIT rules with the
 * same claims re-signed by a test issuer.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { createVerifier, type ProfileName, type WorkloadRequest } from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, SignJWT } from 'jose';
import { checkContentDigest } from '../../../packages/core/src/digest/check-content-digest.js';
import { verifyRequestSignature } from '../../../packages/core/src/httpsig/verify-request-signature.js';
import { buildTrustRegistry } from '../../../packages/core/src/trust/build-trust-registry.js';
import type { TrustDomainOptions } from '../../../packages/core/src/trust/trust-options.js';
import { importCnfKey } from '../../../packages/core/src/wit/import-cnf-key.js';
import { verifyWit } from '../../../packages/core/src/wit/verify-wit.js';
import { generateTestKey, mintWit, readVectorJson } from '../../support/index.js';
import { cnfKeyOf, cofideOctKey, expectWimseError, utf8, verifyCryptoOnly } from '../helpers.js';
import { vectorTest } from '../vector-test.js';

interface Capture {
  request: { method: string; headers: Record<string, string> };
  response: { status: number; headers: Record<string, string> };
}

const windowAt = (created: number) => ({ nowSec: created + 10, clockToleranceSec: 60, maxLifetimeSec: 300 });
const createdOf = (headers: Record<string, string>) =>
  Number(/created=(\d+)/.exec(headers['Signature-Input'] ?? '')?.[1]);

/** The PoC printed the request line as "GET  HTTP/1.1": an empty path, so @request-target is "/". */
const requestOf = (capture: Capture): WorkloadRequest & { headers: Record<string, string> } => ({
  method: capture.request.method,
  target: '/',
  headers: capture.request.headers,
});
const requestParts = (capture: Capture) => ({
  method: capture.request.method,
  target: '/',
  headers: capture.request.headers,
});

describe('Cofide PoC README @ 00302820 (tag wimse-service-to-service, covers @request-target + WIT only)', () => {
  const capture = readVectorJson<Capture>('cofide-poc-readme-sample.json');
  const request = requestOf(capture);
  const key = () => cnfKeyOf(capture.request.headers['Workload-Identity-Token'] as string);

  vectorTest(
    'cofide-00302820/request@service-to-service',
    () =>
      verifyRequestSignature(request, {
        profile: profiles['service-to-service'],
        key: key(),
        audiences: [],
        window: windowAt(createdOf(capture.request.headers)),
      }),
    { messageIncludes: '@method' },
  );
  vectorTest('cofide-00302820/request/signature', () => verifyCryptoOnly({ kind: 'request', request }, key()));
  vectorTest('cofide-00302820/response/signature', () =>
    verifyCryptoOnly(
      { kind: 'response', response: capture.response, request: requestParts(capture) },
      cnfKeyOf(capture.response.headers['Workload-Identity-Token'] as string),
    ),
  );
  vectorTest('cofide-00302820/response/digest', () =>
    checkContentDigest(capture.response.headers, utf8('You are very WIMSEcal!\n'), true),
  );
});

describe('Cofide PoC README, 2025-10-30 capture (minispire cnf.jwk kty:"oct")', () => {
  const capture = readVectorJson<Capture>('peers/cofide/readme-2025-10-30-service-to-service.json');
  const request = requestOf(capture);
  const witToken = capture.request.headers['Workload-Identity-Token'] as string;
  const octJwk = (token: string) => (decodeJwt(token).cnf as { jwk: { k: string; alg: string } }).jwk;
  const underProfile = (profile: ProfileName) => () =>
    verifyRequestSignature(request, {
      profile: profiles[profile],
      key: cofideOctKey(octJwk(witToken)),
      audiences: ['http://localhost:8080'],
      window: windowAt(createdOf(capture.request.headers)),
    });

  vectorTest('cofide-2025-10-30/request@service-to-service', underProfile('service-to-service'));
  vectorTest('cofide-2025-10-30/request@http-sig-06', underProfile('http-sig-06'));
  vectorTest('cofide-2025-10-30/request@http-sig-07', underProfile('http-sig-07'));

  vectorTest(
    'cofide-2025-10-30/cnf-oct@service-to-service',
    async () => {
      // The cnf shape alone.
      await expectWimseError(() => importCnfKey(decodeJwt(witToken).cnf), 'wit_invalid');
      // The same claims re-signed by a test issuer that we trust: only the cnf shape can refuse it.
      const claims = decodeJwt(witToken) as JWTPayload & { cnf: unknown };
      const issuer = generateTestKey('ES256', 'kid');
      const trustDomains: TrustDomainOptions[] = [
        {
          trustDomain: 'example.com',
          issuers: [
            { issuer: 'wimse://example.com', origins: ['spiffe://example.com'], jwks: { keys: [issuer.publicJwk] } },
          ],
        },
      ];
      const context = {
        trust: buildTrustRegistry(trustDomains),
        profile: profiles['service-to-service'],
        clockToleranceSec: 60,
        nowMs: ((claims.iat as number) + 10) * 1000,
      };
      const resign = (cnf: unknown) =>
        new SignJWT({ ...claims, cnf })
          .setProtectedHeader({ alg: 'ES256', kid: 'kid', typ: 'wit+jwt' })
          .sign(issuer.privateKey);
      // Control: the same key as an EC JWK with its alg passes the WIT stage.
      const ecJwk = { ...cofideOctKey(octJwk(witToken)).jwk, alg: 'ES256' };
      const control = await verifyWit(await resign({ jwk: ecJwk }), context);
      assert.equal(control.subject.id, claims.sub);
      return verifyWit(await resign(claims.cnf), context);
    },
    { messageIncludes: 'public key' },
  );
  vectorTest('cofide-2025-10-30/response/signature', () =>
    verifyCryptoOnly(
      { kind: 'response', response: capture.response, request: requestParts(capture) },
      cofideOctKey(octJwk(capture.response.headers['Workload-Identity-Token'] as string)),
    ),
  );
  vectorTest('cofide-2025-10-30/response/digest', () =>
    checkContentDigest(capture.response.headers, utf8('You are very WIMSEcal!\n'), true),
  );
});

describe('Cofide PoC README @ 08aacf88 (tag edited by hand, not re-signed)', () => {
  const capture = readVectorJson<Capture>('peers/cofide/readme-latest-08aacf88-tag-edited.json');
  const request = requestOf(capture);
  const key = (token: string) => cofideOctKey((decodeJwt(token).cnf as { jwk: { k: string; alg: string } }).jwk);
  const requestKey = () => key(capture.request.headers['Workload-Identity-Token'] as string);

  vectorTest('cofide-08aacf88/request/signature', () => verifyCryptoOnly({ kind: 'request', request }, requestKey()));
  vectorTest('cofide-08aacf88/request@service-to-service', () =>
    verifyRequestSignature(request, {
      profile: profiles['service-to-service'],
      key: requestKey(),
      audiences: [],
      window: windowAt(createdOf(capture.request.headers)),
    }),
  );
  vectorTest('cofide-08aacf88/response/signature', () =>
    verifyCryptoOnly(
      { kind: 'response', response: capture.response, request: requestParts(capture) },
      key(capture.response.headers['Workload-Identity-Token'] as string),
    ),
  );
});

describe('SPIFFE: the WIT-SVID example and a trust bundle with wit-svid keys', () => {
  const example = readVectorJson<{
    token: string;
    header_as_printed: Record<string, unknown>;
    claims_as_printed: Record<string, unknown>;
  }>('spiffe-wit-svid-example.json');
  const bundle = readVectorJson<{ keys: Record<string, unknown>[] }>('peers/spiffe/spiffebundle_valid_with_wit.json');
  const spiffeDomain = (keys: Record<string, unknown>[]): TrustDomainOptions[] => [
    { trustDomain: 'example.com', issuers: [{ origins: ['spiffe://example.com'], jwks: { keys } }] },
  ];
  const clockMs = ((example.claims_as_printed.iat as number) + 60) * 1000;

  vectorTest('spiffe/wit-svid-example/decode', () => {
    assert.deepEqual(decodeProtectedHeader(example.token), example.header_as_printed);
    assert.deepEqual(decodeJwt(example.token), example.claims_as_printed);
  });
  vectorTest('spiffe/wit-svid-example@bundle', () => {
    // The bundle's wit-svid keys, as an operator would configure them (use removed, see below).
    const witKeys = bundle.keys.filter((key) => key.use === 'wit-svid').map(({ use: _use, ...key }) => key);
    return verifyWit(example.token, {
      trust: buildTrustRegistry(spiffeDomain(witKeys)),
      profile: profiles['http-sig-07'],
      clockToleranceSec: 60,
      nowMs: clockMs,
    });
  });
  vectorTest('spiffe/bundle/trust-config', () =>
    createVerifier({ trustDomains: spiffeDomain(bundle.keys), audiences: ['https://svc.example.com'] }),
  );
  vectorTest('spiffe/bundle/use-wit-svid', async () => {
    const issuer = generateTestKey('ES256', 'local-wit-key');
    const workload = generateTestKey('ES256');
    const wit = await mintWit({
      issuerKey: issuer,
      kid: 'local-wit-key',
      sub: 'spiffe://example.com/my-workload',
      cnfJwk: workload.publicJwk,
      iat: clockMs / 1000 - 10,
      exp: clockMs / 1000 + 300,
    });
    const context = (keys: Record<string, unknown>[]) => ({
      trust: buildTrustRegistry(spiffeDomain(keys)),
      profile: profiles['http-sig-07'],
      clockToleranceSec: 60,
      nowMs: clockMs,
    });
    // Control: the same key without `use` verifies the WIT.
    await verifyWit(wit, context([...bundle.keys, { ...issuer.publicJwk }]));
    return verifyWit(wit, context([...bundle.keys, { ...issuer.publicJwk, use: 'wit-svid' }]));
  });
});
