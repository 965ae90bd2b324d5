/**
 * Threat rows W1-W11: attacks on the Workload Identity Token and on how its keys are trusted.
 * Every test sends the attack through the whole pipeline (or the WIT stage where no request can
 * carry it) and asserts the WimseError code.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import { allowTrustDomain, createVerifier, createWorkloadGuard, type VerifierOptions } from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import { base64url, SignJWT } from 'jose';
import { buildTrustRegistry } from '../../../packages/core/src/trust/build-trust-registry.js';
import { verifyWit } from '../../../packages/core/src/wit/verify-wit.js';
import {
  AUDIENCE,
  CALLER_ID,
  generateTestKey,
  ISSUER,
  mintWit,
  NOW_SEC,
  now,
  signCustom,
  signedWorkloadRequest,
  TRUST_DOMAIN,
} from '../../support/index.js';
import { expectWimseError, expectWimseErrorOneOf } from '../helpers.js';
import { type AttackFixture, attackFixture, without } from './setup.js';

let f: AttackFixture;
before(async () => {
  f = await attackFixture({ issuerAlg: 'ES256', workloadAlg: 'ES256' });
});

/** A compact JWS over arbitrary header and payload bytes, signed ES256 with `key`. */
function rawJws(header: string, payload: string, key = f.scenario.issuerKey.privateKey): string {
  const h = Buffer.from(header).toString('base64url');
  const p = Buffer.from(payload).toString('base64url');
  const s = sign('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${h}.${p}.${s}`;
}
const cnfJson = () => JSON.stringify({ jwk: f.scenario.workloadKey.publicJwk });

describe('W1: a WIT signed with the attacker key', () => {
  it("[W1] a WIT signed with the attacker's key, carrying the attacker's cnf and a victim sub, is refused although the HTTP signature is valid", async () => {
    const attacker = generateTestKey('ES256');
    const wit = await mintWit({
      issuerKey: attacker,
      kid: 'issuer-1',
      sub: 'wimse://td.example/service/payments',
      cnfJwk: attacker.publicJwk,
      iat: NOW_SEC - 60,
      exp: NOW_SEC + 3600,
      iss: ISSUER,
    });
    const request = await signedWorkloadRequest({ wit, workloadKey: attacker });
    await expectWimseError(f.verify(request), 'wit_invalid', { status: 400, messageIncludes: 'signature' });
  });
  it('[W1] a WIT signed by the trusted issuer of another trust domain cannot assert this one', async () => {
    const other = generateTestKey('ES256', 'other-1');
    const options: VerifierOptions = {
      ...f.scenario.options,
      trustDomains: [
        ...f.scenario.options.trustDomains,
        { trustDomain: 'other.example', issuers: [{ jwks: { keys: [other.publicJwk] }, algorithms: ['ES256'] }] },
      ],
    };
    const request = await f.requestWithWit({ issuerKey: other, kid: 'other-1' });
    await expectWimseError(f.verify(request, options), 'wit_invalid');
  });
});

describe('W2: algorithms', () => {
  it('[W2] alg none is refused', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'wit+jwt', kid: 'issuer-1' }));
    const payload = base64url.encode(JSON.stringify({ sub: CALLER_ID, exp: NOW_SEC + 60, cnf: JSON.parse(cnfJson()) }));
    await expectWimseError(f.verify(await f.requestWithRawWit(`${header}.${payload}.AAAA`)), 'wit_invalid');
    await expectWimseError(f.verify(await f.requestWithRawWit(`${header}.${payload}.`)), 'wit_malformed');
  });
  it("[W2] HS256 keyed with the issuer's public key (JWK JSON or PEM) is refused", async () => {
    const secrets = [
      new TextEncoder().encode(JSON.stringify(f.scenario.issuerKey.publicJwk)),
      new TextEncoder().encode(f.scenario.issuerKey.publicKey.export({ format: 'pem', type: 'spki' }) as string),
    ];
    for (const secret of secrets) {
      const wit = await new SignJWT({ sub: CALLER_ID, exp: NOW_SEC + 60, cnf: JSON.parse(cnfJson()) })
        .setProtectedHeader({ alg: 'HS256', typ: 'wit+jwt', kid: 'issuer-1' })
        .sign(secret);
      await expectWimseError(f.verify(await f.requestWithRawWit(wit)), 'wit_invalid');
    }
  });
  it('[W2] an asymmetric alg the issuer is not configured for is refused (never taken from the token)', async () => {
    const eddsaIssuer = generateTestKey('EdDSA', 'issuer-1');
    const options: VerifierOptions = {
      ...f.scenario.options,
      trustDomains: [
        {
          trustDomain: TRUST_DOMAIN,
          issuers: [{ issuer: ISSUER, jwks: { keys: [eddsaIssuer.publicJwk] }, algorithms: ['ES256'] }],
        },
      ],
    };
    const request = await f.requestWithWit({ issuerKey: eddsaIssuer });
    await expectWimseError(f.verify(request, options), 'wit_invalid', {
      messageIncludes: 'not allowed for this issuer',
    });
  });
});

describe('W3: key selection', () => {
  let server: Server;
  let hits = 0;
  let base = '';
  before(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [generateTestKey('ES256', 'issuer-1').publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('[W3] an unknown kid is refused', async () => {
    await expectWimseError(f.verify(await f.requestWithWit({ kid: 'rotated-away' })), 'wit_invalid', {
      messageIncludes: 'kid',
    });
  });
  it("[W3] a kid from another trust domain's key set does not select that key", async () => {
    const other = generateTestKey('ES256', 'other-1');
    const options: VerifierOptions = {
      ...f.scenario.options,
      trustDomains: [
        ...f.scenario.options.trustDomains,
        { trustDomain: 'other.example', issuers: [{ jwks: { keys: [other.publicJwk] } }] },
      ],
    };
    await expectWimseError(
      f.verify(await f.requestWithWit({ issuerKey: other, kid: 'other-1' }), options),
      'wit_invalid',
      {
        messageIncludes: 'kid',
      },
    );
  });
  it('[W3] keys named by the token (jku, x5u, embedded jwk) are never fetched nor used', async () => {
    const attacker = generateTestKey('ES256');
    const wit = await mintWit({
      issuerKey: attacker,
      kid: 'attacker',
      sub: CALLER_ID,
      cnfJwk: attacker.publicJwk,
      iat: NOW_SEC - 60,
      exp: NOW_SEC + 3600,
      extraHeader: { jku: `${base}/jku`, x5u: `${base}/x5u`, jwk: attacker.publicJwk },
    });
    hits = 0;
    await expectWimseError(f.verify(await signedWorkloadRequest({ wit, workloadKey: attacker })), 'wit_invalid');
    assert.equal(hits, 0, 'the verifier fetched a URL named by the token');
  });
  it('[W3] a WIT without kid is checked against the configured keys only', async () => {
    const attacker = generateTestKey('ES256');
    const request = await f.requestWithWit({ kid: undefined, signingKey: attacker.privateKey });
    await expectWimseError(f.verify(request), 'wit_invalid', { messageIncludes: 'signature' });
  });
});

describe('W4: typ', () => {
  for (const typ of [
    'JWT',
    'jwt',
    'wimse-id+jwt',
    'application/wimse-id+jwt',
    'wpt+jwt',
    'wimse-proof+jwt',
    'at+jwt',
    'wit+jwt+x',
    '',
  ]) {
    it(`[W4] typ "${typ}" is refused`, async () => {
      await expectWimseError(f.verify(await f.requestWithWit({ typ })), 'wit_invalid', { messageIncludes: 'typ' });
    });
  }
  it('[W4] a WIT without typ is refused', async () => {
    const wit = await new SignJWT({ sub: CALLER_ID, exp: NOW_SEC + 600, cnf: JSON.parse(cnfJson()) })
      .setProtectedHeader({ alg: 'ES256', kid: 'issuer-1' })
      .sign(f.scenario.issuerKey.privateKey);
    await expectWimseError(f.verify(await f.requestWithRawWit(wit)), 'wit_invalid', { messageIncludes: 'typ' });
  });
  it('[W4] a JWT-SVID and an OIDC ID token from the same issuer key are refused', async () => {
    const jwtSvid = await f.wit({ typ: 'JWT', extraClaims: { aud: ['orders'] } });
    const idToken = await f.wit({ typ: 'JWT', extraClaims: { aud: 'client-1', nonce: 'n', auth_time: NOW_SEC } });
    for (const token of [jwtSvid, idToken]) {
      const request = await signedWorkloadRequest({ wit: token, workloadKey: f.scenario.workloadKey });
      await expectWimseError(f.verify(request), 'wit_invalid', { messageIncludes: 'typ' });
    }
  });
  it('[W4] the legacy typ wimse-id+jwt is accepted only behind the explicit service-to-service profile', async () => {
    const wit = await f.wit({ typ: 'wimse-id+jwt' });
    const signed = await signRequest(
      { method: 'GET', url: `${AUDIENCE}/orders` },
      { wit, privateKey: f.scenario.workloadKey.privateKey },
      { profile: 'service-to-service', now },
    );
    const request = { method: 'GET', target: '/orders', headers: signed.headers };
    const identity = await f.verify(request, { profile: 'service-to-service' });
    assert.equal(identity.profile, 'service-to-service');
    await expectWimseError(f.verify(request), 'wit_invalid', { messageIncludes: 'typ' });
  });
});

describe('W5: times', () => {
  it('[W5] an expired WIT is refused beyond the clock tolerance', async () => {
    await expectWimseError(f.verify(await f.requestWithWit({ iat: NOW_SEC - 7200, exp: NOW_SEC - 61 })), 'wit_expired');
  });
  it('[W5] nbf in the future is refused', async () => {
    await expectWimseError(f.verify(await f.requestWithWit({ extraClaims: { nbf: NOW_SEC + 600 } })), 'wit_invalid');
  });
  it('[W5] iat in the future beyond the clock tolerance is refused', async () => {
    await expectWimseError(
      f.verify(await f.requestWithWit({ iat: NOW_SEC + 86_400, exp: NOW_SEC + 90_000 })),
      'wit_invalid',
    );
  });
  it('[W5] a cached WIT is refused once it expires (the cache never extends a WIT)', async () => {
    let clock = NOW_SEC * 1000;
    const verifier = createVerifier({ ...f.scenario.options, now: () => clock });
    const wit = await f.wit({ exp: NOW_SEC + 120 });
    await verifier.verify(await signedWorkloadRequest({ wit, workloadKey: f.scenario.workloadKey }));
    clock = (NOW_SEC + 120 + 61) * 1000;
    const later = await signedWorkloadRequest({ wit, workloadKey: f.scenario.workloadKey }, {}, { now: () => clock });
    await expectWimseError(verifier.verify(later), 'wit_expired');
  });
});

describe('W6: issuer allowlist and origin binding', () => {
  it('[W6] an iss that is not the issuer bound to the origin is refused', async () => {
    await expectWimseError(f.verify(await f.requestWithWit({ iss: 'https://evil.example' })), 'untrusted_issuer');
  });
  it('[W6] a sub in a trust domain nobody is trusted for is refused before any key lookup', async () => {
    await expectWimseError(
      f.verify(await f.requestWithWit({ sub: 'wimse://unknown.example/service/x' })),
      'untrusted_issuer',
    );
  });
  it('[W6] a WIT without iss is refused when the issuer requires the claim', async () => {
    const [domain] = f.scenario.options.trustDomains;
    const [issuer] = domain?.issuers ?? [];
    assert.ok(issuer);
    const options = {
      trustDomains: [{ trustDomain: TRUST_DOMAIN, issuers: [{ ...issuer, requireIssuerClaim: true }] }],
    };
    await expectWimseError(f.verify(await f.requestWithWit({ iss: undefined }), options), 'untrusted_issuer');
  });
});

describe('W7: cnf.jwk', () => {
  const jwk = () => ({ ...f.scenario.workloadKey.publicJwk }) as Record<string, unknown>;
  const p384 = () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
  const cases: [string, () => unknown][] = [
    ['cnf missing', () => undefined],
    ['cnf a string', () => 'jwk'],
    ['cnf.jwk missing', () => ({})],
    ['cnf.jwk an array', () => ({ jwk: [jwk()] })],
    ['cnf.jwk a JSON string', () => ({ jwk: JSON.stringify(jwk()) })],
    ['alg missing', () => ({ jwk: { ...jwk(), alg: undefined } })],
    ['alg none', () => ({ jwk: { ...jwk(), alg: 'none' } })],
    ['alg HS256', () => ({ jwk: { ...jwk(), alg: 'HS256' } })],
    ['alg a number', () => ({ jwk: { ...jwk(), alg: 256 } })],
    ['alg an array', () => ({ jwk: { ...jwk(), alg: ['ES256'] } })],
    [
      'a private part d',
      () => ({ jwk: { ...(f.scenario.workloadKey.privateKey.export({ format: 'jwk' }) as object), alg: 'ES256' } }),
    ],
    [
      'kty oct (the Cofide shape)',
      () => ({ jwk: { kty: 'oct', alg: 'ES256', k: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE' } }),
    ],
    ['kty missing', () => ({ jwk: { ...jwk(), kty: undefined } })],
    ['kty RSA with an EC alg', () => ({ jwk: { ...jwk(), kty: 'RSA' } })],
    ['alg EdDSA on a P-256 key', () => ({ jwk: { ...jwk(), alg: 'EdDSA' } })],
    ['a P-384 key under ES256', () => ({ jwk: { ...p384(), alg: 'ES256' } })],
    ['an off-curve point', () => ({ jwk: { ...jwk(), y: base64url.encode(new Uint8Array(32).fill(7)) } })],
    ['x missing', () => ({ jwk: { ...jwk(), x: undefined } })],
    [
      'a 1024-bit RSA key',
      () => ({
        jwk: {
          ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }),
          alg: 'RS256',
        },
      }),
    ],
  ];
  for (const [name, make] of cases) {
    it(`[W7] ${name} is refused`, async () => {
      const cnf = JSON.parse(JSON.stringify({ cnf: make() })).cnf;
      const wit = await new SignJWT({
        sub: CALLER_ID,
        iss: ISSUER,
        exp: NOW_SEC + 600,
        ...(cnf === undefined ? {} : { cnf }),
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'wit+jwt', kid: 'issuer-1' })
        .sign(f.scenario.issuerKey.privateKey);
      await expectWimseError(f.verify(await f.requestWithRawWit(wit)), 'wit_invalid');
    });
  }
});

describe('W8: aud in a WIT', () => {
  for (const aud of ['https://orders.internal.example', '', ['a', 'b']]) {
    it(`[W8] a WIT carrying aud ${JSON.stringify(aud)} is refused by the default profile`, async () => {
      await expectWimseError(f.verify(await f.requestWithWit({ extraClaims: { aud } })), 'wit_invalid', {
        messageIncludes: 'aud',
      });
    });
  }
  it('[W8] the Cofide aud "" is tolerated only by the service-to-service profile', async () => {
    const wit = await f.wit({ extraClaims: { aud: '' } });
    const signed = await signRequest(
      { method: 'GET', url: `${AUDIENCE}/orders` },
      { wit, privateKey: f.scenario.workloadKey.privateKey },
      { profile: 'service-to-service', now },
    );
    assert.ok(
      await f.verify({ method: 'GET', target: '/orders', headers: signed.headers }, { profile: 'service-to-service' }),
    );
  });
});

describe('W9: strict JWS parsing and size', () => {
  it('[W9] an unknown crit header is refused', async () => {
    await expectWimseError(
      f.verify(await f.requestWithWit({ extraHeader: { crit: ['x-unknown'], 'x-unknown': 1 } })),
      'wit_invalid',
    );
  });
  it('[W9] b64:false (unencoded payload) is refused', async () => {
    await expectWimseError(
      f.verify(await f.requestWithWit({ extraHeader: { crit: ['b64'], b64: false } })),
      'wit_invalid',
    );
  });
  it('[W9] an oversized token is refused by its length before any parsing', async () => {
    const huge = `${'e'.repeat(10_000)}.${'e'.repeat(10_000)}.${'e'.repeat(100)}`;
    await expectWimseError(f.verify(await f.requestWithRawWit(huge)), 'wit_malformed', { messageIncludes: 'exceeds' });
  });
  it('[W9] extra segments (JWS with 4 parts, a JWE with 5) are refused', async () => {
    const wit = await f.wit();
    for (const value of [`${wit}.AAAA`, `${wit}.AAAA.BBBB`, `${wit.split('.')[0]}..AAAA.BBBB.CCCC`]) {
      await expectWimseError(f.verify(await f.requestWithRawWit(value)), 'wit_malformed');
    }
  });
  it('[W9] padding, whitespace and non-base64url characters are refused', async () => {
    const wit = await f.wit();
    const [h, p, s] = wit.split('.');
    for (const value of [`${h}=.${p}.${s}`, `${h}.${p}.${s}=`, `${h}. ${p}.${s}`, `${h}.${p}+/.${s}`, `${wit}\t`]) {
      await expectWimseError(f.verify(await f.requestWithRawWit(value)), 'wit_malformed');
    }
  });
  it('[W9] a header or payload that is not a JSON object is refused', async () => {
    for (const [header, payload] of [
      ['[]', '{}'],
      ['{"alg":"ES256","typ":"wit+jwt","kid":"issuer-1"}', '[]'],
      ['{"alg":"ES256","typ":"wit+jwt","kid":"issuer-1"}', 'null'],
      ['"wit+jwt"', '{}'],
    ] as const) {
      const outcome = await f.verify(await f.requestWithRawWit(rawJws(header, payload))).then(
        () => 'accepted',
        (error: { code?: string }) => error.code,
      );
      assert.ok(outcome === 'wit_malformed' || outcome === 'wit_invalid', `${header} ${payload}: ${outcome}`);
    }
  });
  it('[W9] a signature segment with non-canonical base64url (non-zero padding bits) is refused', async () => {
    const wit = await f.wit();
    const [h, p, s = ''] = wit.split('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1) as string);
    // A 64-byte ES256 signature is 86 characters; the last one carries 4 unused bits.
    const twin = `${h}.${p}.${s.slice(0, -1)}${alphabet[last ^ 1]}`;
    await expectWimseErrorOneOf(verifyWit(twin, witContext()), ['wit_malformed', 'wit_invalid']);
  });
  it('[W9] duplicate JSON members in the payload (two sub) are refused', async () => {
    const payload = `{"sub":"${CALLER_ID}","sub":"wimse://td.example/service/admin","iss":"${ISSUER}","exp":${NOW_SEC + 600},"cnf":${cnfJson()}}`;
    const wit = rawJws('{"alg":"ES256","typ":"wit+jwt","kid":"issuer-1"}', payload);
    await expectWimseErrorOneOf(verifyWit(wit, witContext()), ['wit_malformed', 'wit_invalid']);
  });
  it('[W9] duplicate JSON members in the protected header are refused', async () => {
    const wit = rawJws(
      '{"alg":"ES256","typ":"JWT","kid":"issuer-1","typ":"wit+jwt"}',
      `{"sub":"${CALLER_ID}","iss":"${ISSUER}","exp":${NOW_SEC + 600},"cnf":${cnfJson()}}`,
    );
    await expectWimseErrorOneOf(verifyWit(wit, witContext()), ['wit_malformed', 'wit_invalid']);
  });
});

function witContext() {
  return {
    trust: buildTrustRegistry(f.scenario.options.trustDomains),
    profile: profiles['http-sig-07'],
    clockToleranceSec: 60,
    nowMs: NOW_SEC * 1000,
  };
}

describe('W10: one field line, one token', () => {
  it('[W10] two Workload-Identity-Token field lines are refused', async () => {
    const wit = await f.wit();
    await expectWimseError(f.verify(await f.requestWithRawWit([wit, wit])), 'wit_malformed');
    const other = await f.wit({ sub: 'wimse://td.example/service/admin' });
    await expectWimseError(f.verify(await f.requestWithRawWit([f.scenario.wit, other])), 'wit_malformed');
  });
  it('[W10] a comma-joined pair of tokens is refused', async () => {
    await expectWimseError(
      f.verify(await f.requestWithRawWit(`${f.scenario.wit}, ${f.scenario.wit}`)),
      'wit_malformed',
    );
    await expectWimseError(f.verify(await f.requestWithRawWit(`${f.scenario.wit},${f.scenario.wit}`)), 'wit_malformed');
  });
  it('[W10] the same field under two spellings of its name is two field lines', async () => {
    const request = await signedWorkloadRequest(f.scenario);
    const headers = {
      ...request.headers,
      'Workload-Identity-Token': request.headers['workload-identity-token'] as string,
    };
    await expectWimseError(f.verify({ ...request, headers }), 'wit_malformed');
  });
});

describe('W11: a WIT is never a bearer token', () => {
  it('[W11] a WIT without any proof is refused as signature_missing', async () => {
    const request = await signedWorkloadRequest(f.scenario);
    await expectWimseError(
      f.verify({ ...request, headers: without(request.headers, 'signature', 'signature-input') }),
      'signature_missing',
    );
  });
  it('[W11] a WIT sent as Authorization: Bearer is never read', async () => {
    const request = await signCustom(
      f.scenario,
      { headers: { authorization: `Bearer ${f.scenario.wit}` } },
      {
        components: ['@method', '@path', '@query', 'authorization'],
      },
    );
    await expectWimseError(
      f.verify({ ...request, headers: without(request.headers, 'workload-identity-token') }),
      'wit_missing',
    );
    await expectWimseError(
      f.verify({ method: 'GET', target: '/orders', headers: { authorization: `Bearer ${f.scenario.wit}` } }),
      'wit_missing',
    );
  });
  it('[W11] in optional mode a WIT without proof is refused, and a Bearer WIT leaves the caller anonymous (denied by policy)', async () => {
    const guard = createWorkloadGuard({ verifier: f.scenario.options, mode: 'optional' });
    const route = { route: '/orders' };
    const request = await signedWorkloadRequest(f.scenario);
    await expectWimseError(
      guard.authenticate({ ...request, headers: without(request.headers, 'signature', 'signature-input') }, route),
      'signature_missing',
    );
    const bearer = { method: 'GET', target: '/orders', headers: { authorization: `Bearer ${f.scenario.wit}` } };
    const identity = await guard.authenticate(bearer, route);
    assert.equal(identity, undefined);
    await expectWimseError(
      guard.authorize(identity, bearer, allowTrustDomain('wimse://td.example'), route),
      'policy_denied',
      {
        status: 403,
      },
    );
  });
});
