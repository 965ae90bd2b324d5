import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createVerifier, type VerifierOptions } from '@wimse-pep/core';
import { base64url, SignJWT } from 'jose';
import {
  CALLER_ID,
  createScenario,
  generateTestKey,
  ISSUER,
  type MintWitOptions,
  NOW_SEC,
  type Scenario,
  signedWorkloadRequest,
  witFor,
} from '../../../test/support/index.js';
import { rejectsWith } from './helpers.js';

let scenario: Scenario;
before(async () => {
  scenario = await createScenario({ issuerAlg: 'ES256', workloadAlg: 'ES256' });
});

/** Mints a WIT for the scenario's workload with some fields changed, and signs a request with it. */
async function requestWithWit(overrides: Partial<MintWitOptions> = {}) {
  const wit = await witFor(scenario, overrides);
  return signedWorkloadRequest({ wit, workloadKey: scenario.workloadKey });
}

async function expectCode(
  request: Promise<Awaited<ReturnType<typeof requestWithWit>>>,
  code: Parameters<typeof rejectsWith>[1],
  options?: VerifierOptions,
) {
  await rejectsWith(createVerifier(options ?? scenario.options).verify(await request), code);
}

/** Replaces the WIT header of a signed request without re-signing (the WIT is checked first). */
async function requestWithRawWit(value: string | string[]) {
  const request = await signedWorkloadRequest(scenario);
  return { ...request, headers: { ...request.headers, 'workload-identity-token': value } } as never;
}

describe('WIT stage: the header', () => {
  it('rejects a request without the header as wit_missing', async () => {
    const { 'workload-identity-token': _wit, ...headers } = (await signedWorkloadRequest(scenario)).headers;
    await rejectsWith(
      createVerifier(scenario.options).verify({ method: 'GET', target: '/orders?id=7', headers }),
      'wit_missing',
    );
  });
  it('rejects two field lines (W10)', async () => {
    await rejectsWith(
      createVerifier(scenario.options).verify(await requestWithRawWit([scenario.wit, scenario.wit])),
      'wit_malformed',
    );
  });
  it('rejects a comma-joined pair of tokens (W10)', async () => {
    await rejectsWith(
      createVerifier(scenario.options).verify(await requestWithRawWit(`${scenario.wit}, ${scenario.wit}`)),
      'wit_malformed',
    );
  });
  it('rejects a value that is not a compact JWT', async () => {
    for (const value of ['abc', 'a.b', 'a.b.c.d', `${scenario.wit}=`, ` ${scenario.wit}`, 'a..c']) {
      await rejectsWith(createVerifier(scenario.options).verify(await requestWithRawWit(value)), 'wit_malformed');
    }
  });
  it('rejects an oversized token before parsing it (W9)', async () => {
    await rejectsWith(
      createVerifier(scenario.options).verify(await requestWithRawWit(`${'a'.repeat(9000)}.b.c`)),
      'wit_malformed',
    );
  });
  it('rejects segments that are not JSON', async () => {
    await rejectsWith(
      createVerifier(scenario.options).verify(await requestWithRawWit('aGVsbG8.d29ybGQ.c2ln')),
      'wit_malformed',
    );
  });
});

describe('WIT stage: header and signature', () => {
  for (const typ of ['JWT', 'jwt', 'wimse-id+jwt', 'wpt+jwt']) {
    it(`rejects typ ${typ} (W4)`, () => expectCode(requestWithWit({ typ }), 'wit_invalid'));
  }
  it('accepts typ application/wit+jwt', async () => {
    const identity = await createVerifier(scenario.options).verify(
      await requestWithWit({ typ: 'application/wit+jwt' }),
    );
    assert.equal(identity.id, CALLER_ID);
  });
  it('rejects alg none (W2)', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'wit+jwt' }));
    const payload = base64url.encode(
      JSON.stringify({ sub: CALLER_ID, exp: NOW_SEC + 60, cnf: { jwk: scenario.workloadKey.publicJwk } }),
    );
    await rejectsWith(
      createVerifier(scenario.options).verify(await requestWithRawWit(`${header}.${payload}.AAAA`)),
      'wit_invalid',
    );
  });
  it('rejects HS256 keyed with the issuer public key (W2)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(scenario.issuerKey.publicJwk));
    const wit = await new SignJWT({ sub: CALLER_ID, exp: NOW_SEC + 60, cnf: { jwk: scenario.workloadKey.publicJwk } })
      .setProtectedHeader({ alg: 'HS256', typ: 'wit+jwt', kid: 'issuer-1' })
      .sign(secret);
    await rejectsWith(
      createVerifier(scenario.options).verify(await signedWorkloadRequest({ wit, workloadKey: scenario.workloadKey })),
      'wit_invalid',
    );
  });
  it('rejects an algorithm not allowed for the issuer (W2)', async () => {
    const es384 = generateTestKey('ES384', 'issuer-1');
    await expectCode(requestWithWit({ issuerKey: es384 }), 'wit_invalid');
  });
  it("rejects a WIT signed with the attacker's own key (W1)", async () => {
    const attacker = generateTestKey('ES256');
    await expectCode(requestWithWit({ signingKey: attacker.privateKey }), 'wit_invalid');
  });
  it('rejects an unknown kid (W3)', () => expectCode(requestWithWit({ kid: 'other' }), 'wit_invalid'));
  it('rejects an unknown crit header (W9)', () =>
    expectCode(requestWithWit({ extraHeader: { crit: ['x-unknown'], 'x-unknown': 1 } }), 'wit_invalid'));
});

describe('WIT stage: claims', () => {
  it('rejects an expired WIT as wit_expired (W5)', () =>
    expectCode(requestWithWit({ iat: NOW_SEC - 7200, exp: NOW_SEC - 61 }), 'wit_expired'));
  it('accepts a WIT expired within the clock tolerance', async () => {
    const identity = await createVerifier(scenario.options).verify(await requestWithWit({ exp: NOW_SEC - 30 }));
    assert.equal(identity.id, CALLER_ID);
  });
  it('rejects nbf in the future (W5)', () =>
    expectCode(requestWithWit({ extraClaims: { nbf: NOW_SEC + 600 } }), 'wit_invalid'));
  it('rejects a WIT with an aud claim (W8)', () =>
    expectCode(requestWithWit({ extraClaims: { aud: 'x' } }), 'wit_invalid'));
  it('rejects a non-canonical sub before any key lookup (C1)', () =>
    expectCode(requestWithWit({ sub: 'wimse://td.example/service/%70ayment' }), 'identifier_invalid'));
  it('rejects a sub in a trust domain that is not configured', () =>
    expectCode(requestWithWit({ sub: 'wimse://other.example/service/x' }), 'untrusted_issuer'));
  it('rejects a spiffe sub from an issuer bound to wimse:// only (IO1)', () =>
    expectCode(requestWithWit({ sub: 'spiffe://td.example/service/x' }), 'untrusted_issuer'));
  it('rejects an iss that is not the issuer bound to the origin (W6)', () =>
    expectCode(requestWithWit({ iss: 'https://evil.example' }), 'untrusted_issuer'));
  it('rejects a WIT without iss when the issuer requires it', async () => {
    const options = structuredClone({ ...scenario.options, now: undefined });
    const issuer = options.trustDomains[0]?.issuers?.[0];
    assert.ok(issuer);
    await expectCode(requestWithWit({ iss: undefined }), 'untrusted_issuer', {
      ...scenario.options,
      trustDomains: [{ trustDomain: 'td.example', issuers: [{ ...issuer, requireIssuerClaim: true }] }],
    });
  });
  it('rejects a dev issuer asserting a prod identity (IO2)', async () => {
    const dev = generateTestKey('ES256', 'dev');
    const prod = generateTestKey('ES256', 'prod');
    const options: VerifierOptions = {
      ...scenario.options,
      trustDomains: [
        {
          trustDomain: 'dev.example',
          issuers: [{ issuer: 'https://dev', jwks: { keys: [dev.publicJwk] }, algorithms: ['ES256'] }],
        },
        {
          trustDomain: 'prod.example',
          issuers: [{ issuer: 'https://prod', jwks: { keys: [prod.publicJwk] }, algorithms: ['ES256'] }],
        },
      ],
    };
    const forged = requestWithWit({
      issuerKey: dev,
      kid: 'dev',
      iss: 'https://dev',
      sub: 'wimse://prod.example/service/admin',
    });
    await expectCode(forged, 'untrusted_issuer', options);
    const signedByDev = requestWithWit({
      issuerKey: dev,
      kid: 'prod',
      iss: 'https://prod',
      sub: 'wimse://prod.example/service/admin',
    });
    await expectCode(signedByDev, 'wit_invalid', options);
    const control = await createVerifier(options).verify(
      await requestWithWit({
        issuerKey: prod,
        kid: 'prod',
        iss: 'https://prod',
        sub: 'wimse://prod.example/service/admin',
      }),
    );
    assert.equal(control.id, 'wimse://prod.example/service/admin');
  });
});

describe('WIT stage: cnf.jwk (W7)', () => {
  const jwk = () => ({ ...scenario.workloadKey.publicJwk }) as Record<string, unknown>;
  const cases: [string, () => Record<string, unknown> | undefined][] = [
    ['no alg', () => ({ ...jwk(), alg: undefined })],
    ['alg none', () => ({ ...jwk(), alg: 'none' })],
    ['alg HS256', () => ({ ...jwk(), alg: 'HS256' })],
    ['alg not a string', () => ({ ...jwk(), alg: 7 })],
    [
      'a private part',
      () => ({ ...(scenario.workloadKey.privateKey.export({ format: 'jwk' }) as object), alg: 'ES256' }),
    ],
    ['kty oct (Cofide E2 shape)', () => ({ kty: 'oct', alg: 'ES256', k: 'AAAA' })],
    ['alg EdDSA on a P-256 key', () => ({ ...jwk(), alg: 'EdDSA' })],
    ['alg ES384 on a P-256 key', () => ({ ...jwk(), alg: 'ES384' })],
    ['an off-curve point', () => ({ ...jwk(), y: base64url.encode(new Uint8Array(32).fill(7)) })],
  ];
  for (const [name, make] of cases) {
    it(`rejects cnf.jwk with ${name}`, () =>
      expectCode(requestWithWit({ cnfJwk: JSON.parse(JSON.stringify(make())) }), 'wit_invalid'));
  }
  it('rejects a WIT without cnf', async () => {
    const wit = await new SignJWT({ sub: CALLER_ID, exp: NOW_SEC + 60 })
      .setProtectedHeader({ alg: 'ES256', typ: 'wit+jwt', kid: 'issuer-1' })
      .sign(scenario.issuerKey.privateKey);
    await rejectsWith(
      createVerifier(scenario.options).verify(await signedWorkloadRequest({ wit, workloadKey: scenario.workloadKey })),
      'wit_invalid',
    );
  });
  it('rejects a 1024-bit RSA workload key', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    await expectCode(requestWithWit({ cnfJwk: { ...weak, alg: 'RS256' } }), 'wit_invalid');
  });
});

describe('WIT stage: remote key sets', () => {
  let server: Server;
  let hits = 0;
  let base = '';
  before(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [scenario.issuerKey.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const remote = (jwksUri: string): VerifierOptions => ({
    ...scenario.options,
    trustDomains: [
      { trustDomain: 'td.example', issuers: [{ issuer: ISSUER, jwksUri, algorithms: ['ES256'], timeoutMs: 500 }] },
    ],
  });

  it('accepts a WIT whose key comes from a configured loopback JWKS', async () => {
    const identity = await createVerifier(remote(`${base}/jwks`)).verify(await requestWithWit());
    assert.equal(identity.id, CALLER_ID);
  });
  it('does not refetch for every unknown kid (cool-down, O1)', async () => {
    const verifier = createVerifier(remote(`${base}/jwks-storm`));
    await verifier.verify(await requestWithWit());
    const before = hits;
    for (let i = 0; i < 20; i++)
      await rejectsWith(verifier.verify(await requestWithWit({ kid: `unknown-${i}` })), 'wit_invalid');
    assert.ok(hits - before <= 1, `expected at most one refetch, saw ${hits - before}`);
  });
  it('refuses with 503 unavailable when the key set cannot be fetched (fail closed)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejectsWith(
      createVerifier(remote(`http://127.0.0.1:${port}/jwks`)).verify(await requestWithWit()),
      'unavailable',
    );
    assert.equal(error.status, 503);
  });
});
