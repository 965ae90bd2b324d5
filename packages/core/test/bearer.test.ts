import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type BearerOptions,
  createWorkloadGuard,
  requireProof,
  requireProofOfPossession,
  type WorkloadIdentity,
} from '@wimse-pep/core';
import {
  BEARER_AUDIENCE,
  BEARER_ISSUER,
  CALLER_ID,
  createScenario,
  generateTestKey,
  mintBearer,
  NOW_SEC,
  now,
  type Scenario,
} from '../../../test/support/index.js';
import { createBearerVerifier } from '../src/bearer/create-bearer-verifier.js';
import { readBearerToken } from '../src/bearer/read-bearer-token.js';
import { rejectsWith } from './helpers.js';

const bearerKey = generateTestKey('ES256', 'bearer-1');
const request = { method: 'GET', target: '/orders', headers: {} };
const jwtOptions: BearerOptions = {
  jwt: { issuer: BEARER_ISSUER, audience: BEARER_AUDIENCE, jwks: { keys: [bearerKey.publicJwk] } },
  origins: ['wimse://td.example'],
};

describe('bearer verification: configuration is checked once, naming the field', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'neither jwt nor verifyBearer',
      { origins: ['wimse://td.example'] },
      /migration\.bearer must be an object with jwt or verifyBearer/,
    ],
    [
      'an unknown option',
      { ...jwtOptions, audiences: [] },
      /migration\.bearer\.audiences must be absent \(the options are/,
    ],
    ['no origins', { ...jwtOptions, origins: [] }, /migration\.bearer\.origins must be a non-empty array of origins/],
    ['an origin with a path', { ...jwtOptions, origins: ['wimse://td.example/x'] }, /migration\.bearer\.origins\[0\]/],
    ['no issuer', { ...jwtOptions, jwt: { ...jwtOptions.jwt, issuer: undefined } }, /migration\.bearer\.jwt\.issuer/],
    ['no audience', { ...jwtOptions, jwt: { ...jwtOptions.jwt, audience: [] } }, /migration\.bearer\.jwt\.audience/],
    [
      'a symmetric algorithm',
      { ...jwtOptions, jwt: { ...jwtOptions.jwt, algorithms: ['HS256'] } },
      /jwt\.algorithms\[0\] must be an asymmetric JWS signature algorithm, got the string "HS256"/,
    ],
    ['a WIT type', { ...jwtOptions, jwt: { ...jwtOptions.jwt, types: ['wit+jwt'] } }, /jwt\.types/],
    [
      'no key source',
      { ...jwtOptions, jwt: { issuer: 'x', audience: 'y' } },
      /jwt must be an object with jwks or jwksUri/,
    ],
    [
      'a plain-http key set off loopback',
      { ...jwtOptions, jwt: { issuer: 'x', audience: 'y', jwksUri: 'http://keys.example/jwks' } },
      /jwksUri must be an https URL \(plain http only on loopback\)/,
    ],
    [
      'a private key',
      { ...jwtOptions, jwt: { issuer: 'x', audience: 'y', jwks: { keys: [{ ...bearerKey.publicJwk, d: 'x' }] } } },
      /jwks\.keys\[0\] must be a public key \(no d, no kty oct\)/,
    ],
    [
      'a hook that is not a function',
      { origins: ['wimse://td.example'], verifyBearer: 'x' },
      /verifyBearer must be a function/,
    ],
    ['a zero hook timeout', { ...jwtOptions, verifyTimeoutMs: 0 }, /verifyTimeoutMs/],
    ['a tolerance over 300 s', { ...jwtOptions, clockToleranceSec: 301 }, /clockToleranceSec/],
    ['a mapping that is not a function', { ...jwtOptions, workloadId: 'sub' }, /workloadId must be a function/],
  ];
  for (const [name, options, message] of cases) {
    it(`refuses ${name}`, () =>
      assert.throws(() => createBearerVerifier(options as BearerOptions), { name: 'TypeError', message }));
  }
});

describe('bearer verification: JWT', () => {
  const verifier = createBearerVerifier(jwtOptions);

  it('maps sub to a workload identity proven by bearer', async () => {
    const token = await mintBearer({ key: bearerKey, sub: CALLER_ID });
    const identity = await verifier.verify(token, request, now());
    assert.equal(identity.id, CALLER_ID);
    assert.equal(identity.trustDomain, 'td.example');
    assert.equal(identity.origin, 'wimse://td.example');
    assert.equal(identity.issuer, BEARER_ISSUER);
    assert.equal(identity.proof, 'bearer');
    assert.equal(identity.tokenKind, 'jwt');
    assert.equal(identity.expiresAt, NOW_SEC + 3600);
    assert.equal(identity.keyThumbprint, undefined);
    assert.equal(identity.claims.scope, 'orders:read');
  });

  it('maps another claim with a mapping function, within the configured origins', async () => {
    const spiffe = createBearerVerifier({
      ...jwtOptions,
      origins: ['spiffe://td.example'],
      workloadId: (claims) => `spiffe://td.example/client/${String(claims.client_id)}`,
    });
    const token = await mintBearer({ key: bearerKey, sub: 'user-7', extraClaims: { client_id: 'billing' } });
    assert.equal((await spiffe.verify(token, request, now())).id, 'spiffe://td.example/client/billing');
    const outside = await mintBearer({ key: bearerKey, sub: 'x', extraClaims: { client_id: 'a/../b' } });
    await rejectsWith(spiffe.verify(outside, request, now()), 'bearer_invalid');
  });

  it('refuses what a bearer token must not be', async () => {
    const checks: [Promise<string>, 'bearer_invalid' | 'bearer_expired' | 'wit_as_bearer'][] = [
      [mintBearer({ key: bearerKey, sub: CALLER_ID, iat: NOW_SEC + 600, exp: NOW_SEC + 3600 }), 'bearer_invalid'],
      [mintBearer({ key: bearerKey, sub: CALLER_ID, exp: NOW_SEC - 61, iat: NOW_SEC - 600 }), 'bearer_expired'],
      [mintBearer({ key: generateTestKey('ES256', 'bearer-1'), sub: CALLER_ID }), 'bearer_invalid'],
      [mintBearer({ key: bearerKey, sub: CALLER_ID, typ: 'wit+jwt' }), 'wit_as_bearer'],
      [mintBearer({ key: bearerKey, sub: CALLER_ID, typ: 'application/wpt+jwt' }), 'wit_as_bearer'],
      [mintBearer({ key: bearerKey, sub: 'WIMSE://td.example/x' }), 'bearer_invalid'],
      [mintBearer({ key: bearerKey, sub: CALLER_ID, extraClaims: { nbf: NOW_SEC + 600 } }), 'bearer_invalid'],
      [Promise.resolve('opaque-token-value'), 'bearer_invalid'],
      [Promise.resolve(`${'a'.repeat(8193)}`), 'bearer_invalid'],
    ];
    for (const [token, code] of checks) await rejectsWith(verifier.verify(await token, request, now()), code);
  });

  it('accepts only the configured types when types is set', async () => {
    const strict = createBearerVerifier({
      ...jwtOptions,
      jwt: { ...jwtOptions.jwt, types: ['at+jwt'] },
    } as BearerOptions);
    assert.equal(
      (await strict.verify(await mintBearer({ key: bearerKey, sub: CALLER_ID }), request, now())).id,
      CALLER_ID,
    );
    await rejectsWith(
      strict.verify(await mintBearer({ key: bearerKey, sub: CALLER_ID, typ: 'JWT' }), request, now()),
      'bearer_invalid',
    );
  });
});

describe('bearer verification: a remote key set', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [bearerKey.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('fetches the keys from jwksUri', async () => {
    const verifier = createBearerVerifier({
      ...jwtOptions,
      jwt: { issuer: BEARER_ISSUER, audience: BEARER_AUDIENCE, jwksUri: url },
    });
    const token = await mintBearer({ key: bearerKey, sub: CALLER_ID });
    assert.equal((await verifier.verify(token, request, now())).id, CALLER_ID);
  });

  it('fails closed with 503 when the key set cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const verifier = createBearerVerifier({
      ...jwtOptions,
      jwt: {
        issuer: BEARER_ISSUER,
        audience: BEARER_AUDIENCE,
        jwksUri: `http://127.0.0.1:${port}/jwks`,
        timeoutMs: 500,
      },
    });
    const token = await mintBearer({ key: bearerKey, sub: CALLER_ID });
    const error = await rejectsWith(verifier.verify(token, request, now()), 'unavailable');
    assert.equal(error.status, 503);
  });
});

describe('bearer verification: opaque tokens through verifyBearer', () => {
  it('accepts what the hook accepts, with the request at hand', async () => {
    let seen: unknown;
    const verifier = createBearerVerifier({
      origins: ['wimse://td.example'],
      verifyBearer: (token, req) => {
        seen = req.target;
        return token === 'good-token' ? { sub: CALLER_ID, active: true, exp: NOW_SEC + 60 } : false;
      },
    });
    const identity = await verifier.verify('good-token', request, now());
    assert.equal(identity.id, CALLER_ID);
    assert.equal(identity.tokenKind, 'opaque');
    assert.equal(identity.expiresAt, NOW_SEC + 60);
    assert.equal(seen, '/orders');
    await rejectsWith(verifier.verify('bad-token', request, now()), 'bearer_invalid');
  });

  it('a hook that throws, answers nonsense or never answers is 503, and is aborted at the timeout', async () => {
    let aborted = false;
    const hanging = createBearerVerifier({
      origins: ['wimse://td.example'],
      verifyTimeoutMs: 50,
      verifyBearer: (_token, _req, signal) => {
        signal.addEventListener('abort', () => {
          aborted = true;
        });
        return new Promise(() => {});
      },
    });
    await rejectsWith(hanging.verify('t', request, now()), 'unavailable');
    assert.equal(aborted, true);
    const throwing = createBearerVerifier({
      origins: ['wimse://td.example'],
      verifyBearer: () => {
        throw new Error('introspection down');
      },
    });
    await rejectsWith(throwing.verify('t', request, now()), 'unavailable');
    const nonsense = createBearerVerifier({ origins: ['wimse://td.example'], verifyBearer: () => 'yes' as never });
    await rejectsWith(nonsense.verify('t', request, now()), 'unavailable');
  });

  it('with jwt too: JWTs go to jwt, opaque tokens to the hook; an expired introspection answer is refused', async () => {
    const verifier = createBearerVerifier({
      ...jwtOptions,
      verifyBearer: () => ({ sub: 'wimse://td.example/service/opaque', exp: NOW_SEC - 3600 }),
    });
    assert.equal(
      (await verifier.verify(await mintBearer({ key: bearerKey, sub: CALLER_ID }), request, now())).tokenKind,
      'jwt',
    );
    await rejectsWith(verifier.verify('opaque', request, now()), 'bearer_expired');
  });
});

describe('readBearerToken', () => {
  it('reads one Bearer credential, case-insensitively, and leaves other schemes alone', () => {
    assert.equal(readBearerToken({ authorization: 'Bearer abc.def-ghi_~+/==' }), 'abc.def-ghi_~+/==');
    assert.equal(readBearerToken({ Authorization: 'bEaReR xyz' }), 'xyz');
    assert.equal(readBearerToken({ authorization: 'WPT abc' }), undefined);
    assert.equal(readBearerToken({ authorization: 'Basic abc' }), undefined);
    assert.equal(readBearerToken({ authorization: 'Bearerx abc' }), undefined);
    assert.equal(readBearerToken({}), undefined);
  });
  it('refuses a malformed or repeated credential', () => {
    for (const authorization of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer =abc', 'Bearer a,b']) {
      assert.throws(() => readBearerToken({ authorization }), { code: 'bearer_malformed' });
    }
    assert.throws(() => readBearerToken({ authorization: ['Bearer a', 'Bearer b'] }), { code: 'bearer_malformed' });
    assert.throws(() => readBearerToken({ authorization: ['Basic a', 'Bearer b'] }), { code: 'bearer_malformed' });
  });
});

describe('requireProof and requireProofOfPossession', () => {
  const identity = (proof: WorkloadIdentity['proof']) => ({ proof }) as WorkloadIdentity;
  it('allow only the listed proofs', async () => {
    const pop = requireProofOfPossession();
    assert.equal(await pop(identity('http-signature'), request), true);
    assert.equal(await pop(identity('wpt'), request), true);
    assert.equal(await pop(identity('mtls'), request), true);
    assert.equal(await pop(identity('bearer'), request), false);
    assert.equal(await requireProof('bearer')(identity('bearer'), request), true);
    assert.equal(await requireProof('wpt')(identity('http-signature'), request), false);
  });
  it('refuse an empty or unknown list at construction', () => {
    assert.throws(() => requireProof(), TypeError);
    assert.throws(
      () => requireProof('password' as never),
      /requireProof: proofs\[0\] must be one of 'http-signature', 'wpt', 'mtls', 'bearer', got the string "password"/,
    );
  });
});

describe('guard migration options: checked once, naming the field', () => {
  let scenario: Scenario;
  before(async () => {
    scenario = await createScenario();
  });
  const bad: [string, Record<string, unknown>, RegExp][] = [
    [
      'an unknown option',
      { bearer: jwtOptions, ratchett: false },
      /migration\.ratchett must be absent \(the options are/,
    ],
    ['an unknown mode', { bearer: jwtOptions, mode: 'both' }, /migration\.mode/],
    [
      'a store without list',
      { bearer: jwtOptions, store: { recordUse() {}, get() {}, reset() {} } },
      /migration\.store must be a MigrationStore \(recordUse, get, list, reset\), got .*without list\(\)/,
    ],
    ['a zero store timeout', { bearer: jwtOptions, storeTimeoutMs: 0 }, /migration\.storeTimeoutMs/],
    ['a negative grace', { bearer: jwtOptions, ratchet: { graceSec: -1 } }, /migration\.ratchet\.graceSec/],
    ['a bad sunset', { bearer: jwtOptions, sunset: 'next tuesday' }, /migration\.sunset/],
    ['a relative guide URL', { bearer: jwtOptions, guideUrl: '/guide' }, /migration\.guideUrl/],
    ['a quoted realm', { bearer: jwtOptions, realm: 'a"b' }, /migration\.realm/],
    ['a bad mismatch setting', { bearer: jwtOptions, subjectMismatch: 'ignore' }, /migration\.subjectMismatch/],
    [
      'a caller rule with both',
      { bearer: jwtOptions, callers: [{ workloads: [CALLER_ID], pathPrefix: CALLER_ID, mode: 'either' }] },
      /migration\.callers\[0\] must be a rule with exactly one of workloads or pathPrefix/,
    ],
    [
      'a root prefix',
      { bearer: jwtOptions, callers: [{ pathPrefix: 'wimse://td.example', mode: 'either' }] },
      /migration\.callers\[0\]\.pathPrefix/,
    ],
    [
      'a non-canonical id',
      { bearer: jwtOptions, callers: [{ workloads: ['wimse://td.example/%41'], mode: 'either' }] },
      /migration\.callers\[0\]\.workloads\[0\]/,
    ],
    [
      'a rule that sets nothing',
      { bearer: jwtOptions, callers: [{ workloads: [CALLER_ID] }] },
      /migration\.callers\[0\] must be a rule with mode or sunset/,
    ],
    ['bad bearer options', { bearer: { origins: [] } }, /migration\.bearer/],
    [
      'an unbounded metric set entry',
      { bearer: jwtOptions, metricWorkloads: ['x'] },
      /migration\.metricWorkloads\[0\]/,
    ],
  ];
  for (const [name, migration, message] of bad) {
    it(`refuses ${name}`, () =>
      assert.throws(() => createWorkloadGuard({ verifier: scenario.options, migration: migration as never }), {
        name: 'TypeError',
        message,
      }));
  }
  it('checks route migration settings at registration', () => {
    const guard = createWorkloadGuard({ verifier: scenario.options, migration: { bearer: jwtOptions } });
    assert.doesNotThrow(() => guard.checkRouteMigration({ mode: 'either', floor: 'either' }, 'r'));
    assert.doesNotThrow(() => guard.checkRouteMigration({ mode: 'wit-required', floor: 'either' }, 'r'));
    assert.doesNotThrow(() => guard.checkRouteMigration({ floor: 'wit-required' }, 'r'));
    // The floor bounds the route's own mode too: a mode below it is a contradiction, refused with why.
    assert.throws(() => guard.checkRouteMigration({ mode: 'either', floor: 'wit-required' }, 'GET /refunds'), {
      name: 'TypeError',
      message: /^GET \/refunds: mode either is below floor wit-required, and the floor bounds the route's own mode/,
    });
    assert.throws(() => guard.checkRouteMigration({ mode: 'shadow', floor: 'either' }, 'r'), /below floor either/);
    assert.throws(() => guard.checkRouteMigration({ mode: 'sometimes' }, 'GET /x'), /GET \/x\.mode/);
    assert.throws(() => guard.checkRouteMigration({ floor: 'none' }, 'GET /x'), /GET \/x\.floor/);
    const plain = createWorkloadGuard({ verifier: scenario.options });
    assert.throws(() => plain.checkRouteMigration('either', 'GET /x'), /needs the guard's migration option/);
  });
});
