/**
 * The examples of the WIMSE drafts (test/fixtures/vectors/*): the WIT and WPT examples, every
 * generation of the HTTP-signature example, and the historical tokens. Each is checked at the
 * deepest layer its published keys allow (see VectorLayer), with the clock of the example.
 */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import {
  createVerifier,
  type HttpSignatureIdentity,
  type ProfileName,
  type VerifierOptions,
  type WorkloadRequest,
  type WptIdentity,
} from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { checkContentDigest } from '../../../packages/core/src/digest/check-content-digest.js';
import { verifyRequestSignature } from '../../../packages/core/src/httpsig/verify-request-signature.js';
import { verifyResponseSignature } from '../../../packages/core/src/httpsig/verify-response-signature.js';
import { buildTrustRegistry } from '../../../packages/core/src/trust/build-trust-registry.js';
import { verifyWit } from '../../../packages/core/src/wit/verify-wit.js';
import {
  generateTestKey,
  mintWit,
  parseHttpMessage,
  readRequestVector,
  readVectorJson,
  VECTORS_DIR,
} from '../../support/index.js';
import { cnfKeyOf, confirmationKey, utf8, verifyCryptoOnly } from '../helpers.js';
import { vectorTest } from '../vector-test.js';

type Jwk = Record<string, string>;

interface WitCredsExample {
  wit: string;
  identity_server_public_jwk: Jwk;
  identity_server_private_d_from_examples_main_go: string;
  workload_private_jwk: Jwk;
}
interface WptExample {
  wpt: string;
  bound_wit: string;
  workload_public_jwk_from_wit_cnf: Jwk;
}
interface LegacyEntry {
  drafts: string;
  kind: string;
  token?: string;
  http?: string;
  identity_server_public_jwk?: Jwk;
  workload_private_jwk?: Jwk;
}

const creds = readVectorJson<WitCredsExample>('wit-creds-example.json');
const wpt = readVectorJson<WptExample>('wpt-example.json');
const legacy = readVectorJson<{ examples: LegacyEntry[] }>('legacy-wit-wpt-examples.json').examples;

/** A clock inside the June 5 example WIT (iat 1745508910, exp 1745512510). */
const JUNE5_CLOCK_SEC = 1_745_509_000;
const june5Trust = (
  profile: ProfileName = 'http-sig-07',
  audiences = ['https://svcb.example.com'],
): VerifierOptions => ({
  trustDomains: [
    {
      trustDomain: 'example.com',
      issuers: [{ jwks: { keys: [creds.identity_server_public_jwk] }, algorithms: ['ES256'] }],
    },
  ],
  audiences,
  profile,
  now: () => JUNE5_CLOCK_SEC * 1000,
});

/** A captured response: status, headers and the exact body bytes after the blank line. */
function readResponseVector(name: string) {
  // s2s-07's file starts with a stray "Response:" line and a blank line (copied as published).
  const text = readFileSync(new URL(name, VECTORS_DIR), 'utf8').replace(/^Response:\r?\n\r?\n/, '');
  const message = parseHttpMessage(text);
  const normalized = text.replace(/\r\n/g, '\n');
  const body = utf8(normalized.slice(normalized.indexOf('\n\n') + 2));
  const status = Number(message.startLine.split(' ')[1]);
  return { status, headers: message.headers, body };
}

const signatureParams = (request: WorkloadRequest): { created: number } => {
  const input = String(request.headers['signature-input']);
  return { created: Number(/created=(\d+)/.exec(input)?.[1]) };
};
const windowAt = (created: number) => ({ nowSec: created + 10, clockToleranceSec: 60, maxLifetimeSec: 300 });
/** The official responses are signed for 302 s, just above the request cap of 300 s. */
const responseWindowAt = (created: number) => ({ nowSec: created + 10, clockToleranceSec: 60, maxLifetimeSec: 310 });

describe('draft examples: the WIT (workload-creds) with the "June 5" issuer key', () => {
  vectorTest(
    'wit-creds/wit@http-sig-07',
    async () => {
      const signed = await signRequest(
        { method: 'GET', url: 'https://svcb.example.com/gimme-ice-cream?flavor=vanilla' },
        { wit: creds.wit, privateKey: creds.workload_private_jwk },
        { now: () => JUNE5_CLOCK_SEC * 1000 },
      );
      return createVerifier(june5Trust()).verify({
        method: 'GET',
        target: '/gimme-ice-cream?flavor=vanilla',
        headers: signed.headers,
      });
    },
    {
      check: (value) => {
        const identity = value as HttpSignatureIdentity;
        assert.equal(identity.id, 'wimse://example.com/specific-workload');
        assert.equal(identity.claims.jti, 'x-_1CTL2cca3CSE4cwb_l');
      },
    },
  );

  vectorTest('wit-creds/wit@real-clock', async () => {
    const at = (1_745_512_510 + 61) * 1000;
    const signed = await signRequest(
      { method: 'GET', url: 'https://svcb.example.com/x' },
      { wit: creds.wit, privateKey: creds.workload_private_jwk },
      { now: () => at },
    );
    return createVerifier({ ...june5Trust(), now: () => at }).verify({
      method: 'GET',
      target: '/x',
      headers: signed.headers,
    });
  });

  vectorTest(
    'wit-creds/minted-with-june5-key@http-sig-07',
    async () => {
      const issuerPrivate = createPrivateKey({
        key: { ...creds.identity_server_public_jwk, d: creds.identity_server_private_d_from_examples_main_go },
        format: 'jwk',
      });
      const workload = generateTestKey('ES256');
      const wit = await mintWit({
        issuerKey: { ...workload, alg: 'ES256' },
        signingKey: issuerPrivate,
        kid: 'June 5',
        sub: 'wimse://example.com/service/orders-client',
        cnfJwk: workload.publicJwk,
        iat: JUNE5_CLOCK_SEC - 10,
        exp: JUNE5_CLOCK_SEC + 300,
      });
      const signed = await signRequest(
        {
          method: 'POST',
          url: 'https://svcb.example.com/orders?x=1',
          headers: { 'content-type': 'application/json' },
          body: '{"item":1}',
        },
        { wit, privateKey: workload.privateKey },
        { now: () => JUNE5_CLOCK_SEC * 1000 },
      );
      return createVerifier(june5Trust()).verify({
        method: 'POST',
        target: '/orders?x=1',
        headers: signed.headers,
        body: signed.body,
      });
    },
    {
      check: (value) => {
        const identity = value as HttpSignatureIdentity;
        assert.equal(identity.id, 'wimse://example.com/service/orders-client');
        assert.ok(identity.coveredComponents.includes('"content-digest"'));
      },
    },
  );
});

describe('draft examples: WPT', () => {
  // The example WPT expires at 1745510016; its WIT was issued at 1745508910.
  const wptClockSec = 1_745_509_900;
  const wptVerifier = (profile: 'wpt-01' | 'wpt-02', clockSec = wptClockSec) =>
    createVerifier({
      ...june5Trust('http-sig-07', ['https://workload.example.com']),
      wpt: { profile },
      now: () => clockSec * 1000,
    });
  const wptRequest = () => {
    const request = readRequestVector('wpt-request.http.txt');
    assert.equal(request.headers['workload-identity-token']?.[0], wpt.bound_wit);
    return { ...request, body: utf8('{"do stuff":"please"}') };
  };
  vectorTest('wpt/request@wpt-02', () => wptVerifier('wpt-02').verify(wptRequest()));
  vectorTest('wpt/request@wpt-01', () => wptVerifier('wpt-01').verify(wptRequest()), {
    check: (value) => {
      const identity = value as WptIdentity;
      assert.equal(identity.proof, 'wpt');
      assert.equal(identity.id, 'wimse://example.com/specific-workload');
      assert.equal(identity.audience, 'https://workload.example.com/path');
      assert.deepEqual(identity.boundTokens, ['authorization']);
    },
  });
  vectorTest('wpt/request@wpt-01/replayed', async () => {
    const verifier = wptVerifier('wpt-01');
    await verifier.verify(wptRequest());
    return verifier.verify(wptRequest());
  });
  vectorTest('wpt/request@wpt-01/expired', () => wptVerifier('wpt-01', 1_745_510_016 + 61).verify(wptRequest()));
  vectorTest('wpt/wpt-as-wit@http-sig-07', () =>
    createVerifier(june5Trust()).verify({
      method: 'GET',
      target: '/path',
      headers: { 'workload-identity-token': wpt.wpt },
    }),
  );
  vectorTest('wpt/proof/jose', async () => {
    const key = await importJWK(wpt.workload_public_jwk_from_wit_cnf, 'EdDSA');
    const { protectedHeader } = await compactVerify(wpt.wpt, key);
    assert.equal(protectedHeader.typ, 'wpt+jwt');
  });
  vectorTest('s2s-03-04-wpt/request@http-sig-07', () => {
    const s2s03 = legacy.find((e) => e.kind === 'WIT' && e.drafts === 'draft-ietf-wimse-s2s-protocol-03');
    assert.ok(s2s03?.identity_server_public_jwk);
    return createVerifier({
      ...june5Trust('http-sig-07', ['https://workload.example.com']),
      trustDomains: [{ trustDomain: 'example.com', issuers: [{ jwks: { keys: [s2s03.identity_server_public_jwk] } }] }],
      now: () => 1_740_755_000_000,
    }).verify(readRequestVector('s2s-03-04-wpt-request.http.txt'));
  });
  vectorTest('s2s-03-04-wpt/request@service-to-service', () => {
    const s2s03 = legacy.find((e) => e.kind === 'WIT' && e.drafts === 'draft-ietf-wimse-s2s-protocol-03');
    assert.ok(s2s03?.identity_server_public_jwk);
    return createVerifier({
      trustDomains: [{ trustDomain: 'example.com', issuers: [{ jwks: { keys: [s2s03.identity_server_public_jwk] } }] }],
      profile: 'service-to-service',
      now: () => 1_740_755_000_000,
    }).verify(readRequestVector('s2s-03-04-wpt-request.http.txt'));
  });
  const s2s02Request = () => {
    const entry = legacy.find((e) => e.kind.startsWith('WPT request'));
    assert.ok(entry?.http);
    const message = parseHttpMessage(entry.http);
    const [method = '', target = ''] = message.startLine.split(' ');
    return { method, target, headers: message.headers };
  };
  vectorTest('legacy/s2s-02-wpt-request@http-sig-07', () => {
    const wit00 = legacy[0];
    assert.ok(wit00?.identity_server_public_jwk);
    return createVerifier({
      trustDomains: [
        {
          trustDomain: 'example.com',
          issuers: [
            {
              issuer: 'wimse://example.com/trusted-central-authority',
              jwks: { keys: [wit00.identity_server_public_jwk] },
            },
          ],
        },
      ],
      audiences: ['https://service.example.com'],
      now: () => 1_717_612_000_000,
    }).verify(s2s02Request());
  });
  vectorTest('legacy/s2s-02-wpt/jose', async () => {
    const request = s2s02Request();
    const witToken = request.headers['workload-identity-token']?.[0] as string;
    const proof = request.headers['workload-proof-token']?.[0] as string;
    const cnf = (decodeJwt(witToken).cnf as { jwk: Jwk }).jwk;
    return compactVerify(proof, await importJWK({ ...cnf, alg: 'EdDSA' }, 'EdDSA'));
  });
  for (const [id, drafts] of [
    ['legacy/s2s-03-wpt/jose', 'draft-ietf-wimse-s2s-protocol-03'],
    ['legacy/s2s-05-06-wpt/jose', 'draft-ietf-wimse-s2s-protocol-05, -06'],
  ] as const) {
    vectorTest(id, async () => {
      const proof = legacy.find((e) => e.kind === 'WPT' && e.drafts.startsWith(drafts))?.token;
      const wit = legacy.find((e) => e.kind === 'WIT' && e.drafts.startsWith(drafts))?.token;
      assert.ok(proof && wit);
      const cnf = (decodeJwt(wit).cnf as { jwk: Jwk }).jwk;
      const { protectedHeader } = await compactVerify(proof, await importJWK({ ...cnf, alg: 'EdDSA' }, 'EdDSA'));
      assert.equal(protectedHeader.typ, 'wimse-proof+jwt');
    });
  }
});

describe('draft examples: HTTP message signatures, every generation', () => {
  const generations = ['httpsig-06', 'httpsig-05', 'httpsig-03-04', 'httpsig-02', 'httpsig-00-01', 's2s-07'] as const;
  for (const v of generations) {
    const request = readRequestVector(`${v}-request.http.txt`);
    const response = readResponseVector(`${v}-response.http.txt`);
    const requestKey = () => cnfKeyOf(String(request.headers['workload-identity-token']?.[0]));
    const responseKey = () => cnfKeyOf(String(response.headers['workload-identity-token']?.[0]));
    const created = signatureParams(request).created;
    const underProfile = (profile: ProfileName) => () =>
      verifyRequestSignature(request, {
        profile: profiles[profile],
        key: requestKey(),
        audiences: ['https://svcb.example.com'],
        window: windowAt(created),
      });
    vectorTest(`${v}/request@http-sig-06`, underProfile('http-sig-06'));
    vectorTest(`${v}/request@http-sig-07`, underProfile('http-sig-07'));
    vectorTest(`${v}/request/signature`, () => verifyCryptoOnly({ kind: 'request', request }, requestKey()));
    vectorTest(`${v}/response/signature`, () =>
      verifyCryptoOnly({ kind: 'response', response, request }, responseKey()),
    );
    const responseCreated = Number(/created=(\d+)/.exec(String(response.headers['signature-input']))?.[1]);
    vectorTest(
      `${v}/response@http-sig-06`,
      () =>
        verifyResponseSignature(response, request, {
          profile: profiles['http-sig-06'],
          key: responseKey(),
          requestNonce: 'abcd1111',
          window: responseWindowAt(responseCreated),
        }),
      {
        check: (value) =>
          assert.equal((value as { params: { requestNonce?: string } }).params.requestNonce, 'abcd1111'),
      },
    );
    if (v !== 'httpsig-06' && v !== 'httpsig-05') {
      vectorTest(`${v}/response/digest`, () => checkContentDigest(response.headers, response.body, true));
    }
  }

  vectorTest('httpsig-06/request@pipeline', () => {
    const request = readRequestVector('httpsig-06-request.http.txt');
    const standIn = generateTestKey('EdDSA', 'issuer-key').publicJwk;
    return createVerifier({
      trustDomains: [
        { trustDomain: 'example.com', issuers: [{ issuer: 'https://example.com/issuer', jwks: { keys: [standIn] } }] },
      ],
      audiences: ['https://svcb.example.com'],
      profile: 'http-sig-06',
      now: () => (signatureParams(request).created + 10) * 1000,
    }).verify(request);
  });
});

describe('draft examples: the s2s-00..06 messages (tag wimse-service-to-service, placeholder WIT)', () => {
  const keys = readVectorJson<{ caller_svcA_private_jwk: Jwk; callee_svcB_private_jwk: Jwk }>('s2s-00-06-keys.json');
  const svcA = () => confirmationKey(keys.caller_svcA_private_jwk, 'EdDSA');
  const svcB = () => confirmationKey(keys.callee_svcB_private_jwk, 'EdDSA');
  const request = readRequestVector('s2s-00-02-request.http.txt');
  const response = readResponseVector('s2s-00-02-response.http.txt');
  const edited = readRequestVector('s2s-03-06-request.http.txt');
  const editedResponse = readResponseVector('s2s-03-06-response.http.txt');
  const window = windowAt(1_718_291_357);
  const underProfile =
    (profile: ProfileName, message = request) =>
    () =>
      verifyRequestSignature(message, { profile: profiles[profile], key: svcA(), audiences: [], window });

  vectorTest('s2s-00-02/request@service-to-service', underProfile('service-to-service'));
  vectorTest('s2s-00-02/request@http-sig-06', underProfile('http-sig-06'));
  vectorTest('s2s-00-02/request@http-sig-07', underProfile('http-sig-07'));
  vectorTest('s2s-00-02/request@pipeline', () =>
    createVerifier({
      trustDomains: [{ trustDomain: 'example.com', issuers: [{ jwks: { keys: [creds.identity_server_public_jwk] } }] }],
      profile: 'service-to-service',
      now: () => window.nowSec * 1000,
    }).verify(request),
  );
  vectorTest('s2s-00-02/request/signature', () => verifyCryptoOnly({ kind: 'request', request }, svcA()));
  vectorTest('s2s-00-02/response/signature', () => verifyCryptoOnly({ kind: 'response', response, request }, svcB()));
  vectorTest('s2s-00-02/response@service-to-service', () =>
    verifyResponseSignature(response, request, {
      profile: profiles['service-to-service'],
      key: svcB(),
      requestNonce: 'abcd1111',
      window: responseWindowAt(1_718_295_368),
    }),
  );
  vectorTest('s2s-03-06/request/signature', () => verifyCryptoOnly({ kind: 'request', request: edited }, svcA()));
  vectorTest('s2s-03-06/request@service-to-service', underProfile('service-to-service', edited));
  vectorTest('s2s-03-06/response/signature', () =>
    verifyCryptoOnly({ kind: 'response', response: editedResponse, request: edited }, svcB()),
  );
});

describe('draft examples: legacy WITs (s2s-00..06) are refused by the typ/cnf rules, not by their keys', () => {
  const entries = [
    { name: 's2s-00-02', drafts: 'draft-sheffer-wimse-s2s-protocol-00' },
    { name: 's2s-03', drafts: 'draft-ietf-wimse-s2s-protocol-03' },
    { name: 's2s-04', drafts: 'draft-ietf-wimse-s2s-protocol-04' },
    { name: 's2s-05-06', drafts: 'draft-ietf-wimse-s2s-protocol-05' },
  ] as const;
  for (const { name, drafts } of entries) {
    const entry = legacy.find((e) => e.kind === 'WIT' && e.drafts.startsWith(drafts));
    assert.ok(entry?.token && entry.identity_server_public_jwk, `legacy WIT ${name}`);
    const token = entry.token;
    const issuerJwk = entry.identity_server_public_jwk;
    const claims = decodeJwt(token);
    const clockSec = (claims.iat ?? (claims.exp as number) - 3600) + 60;
    const trustDomains: VerifierOptions['trustDomains'] = [
      {
        trustDomain: 'example.com',
        issuers: [
          {
            ...(typeof claims.iss === 'string' ? { issuer: claims.iss } : {}),
            jwks: { keys: [issuerJwk] },
            algorithms: ['ES256'],
          },
        ],
      },
    ];
    const witStage = (profile: ProfileName) => () =>
      verifyWit(token, {
        trust: buildTrustRegistry(trustDomains),
        profile: profiles[profile],
        clockToleranceSec: 60,
        nowMs: clockSec * 1000,
      });

    vectorTest(`legacy/wit-${name}/jose`, async () => {
      assert.equal(decodeProtectedHeader(token).typ, 'wimse-id+jwt');
      return jwtVerify(token, await importJWK(issuerJwk, 'ES256'), { currentDate: new Date(clockSec * 1000) });
    });
    vectorTest(`legacy/wit-${name}@http-sig-07`, witStage('http-sig-07'));
    if (name === 's2s-04' || name === 's2s-05-06') {
      vectorTest(`legacy/wit-${name}@service-to-service`, async () => {
        // The s2s-04..06 WITs bind the same workload key as the current example.
        assert.equal((claims.cnf as { jwk: Jwk }).jwk.x, creds.workload_private_jwk.x);
        const signed = await signRequest(
          { method: 'GET', url: 'https://svcb.example.com/gimme-ice-cream' },
          { wit: token, privateKey: creds.workload_private_jwk },
          { profile: 'service-to-service', now: () => clockSec * 1000 },
        );
        const request = { method: 'GET', target: '/gimme-ice-cream', headers: signed.headers };
        const identity = await createVerifier({
          trustDomains,
          profile: 'service-to-service',
          now: () => clockSec * 1000,
        }).verify(request);
        // The same request under the default profile: refused by the typ rule.
        const strict = await createVerifier({
          trustDomains,
          audiences: ['https://svcb.example.com'],
          now: () => clockSec * 1000,
        })
          .verify(request)
          .then(
            () => 'accepted',
            (error: { code?: string }) => error.code,
          );
        assert.equal(strict, 'wit_invalid');
        return identity;
      });
    } else {
      vectorTest(`legacy/wit-${name}@service-to-service`, witStage('service-to-service'));
    }
  }
});
