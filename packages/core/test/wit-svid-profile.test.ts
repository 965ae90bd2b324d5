import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createVerifier, type IssuerOptions, type VerifierOptions } from '@wimse-pep/core';
import { profiles } from '@wimse-pep/core/signing';
import { errors } from 'jose';
import {
  AUDIENCE,
  generateTestKey,
  type MintWitOptions,
  mintWit,
  NOW_SEC,
  now,
  signedWorkloadRequest,
  type TestKeyPair,
} from '../../../test/support/index.js';
import { createSpiffeBundleKeySet } from '../src/trust/spiffe-bundle-key-set.js';
import { rejectsWith } from './helpers.js';

const TD = 'example.org';
const SPIFFE_ID = 'spiffe://example.org/ns/prod/sa/checkout';

let issuer: TestKeyPair;
let workload: TestKeyPair;
let tmp: string;

before(() => {
  issuer = generateTestKey('ES256', 'wit-key-1');
  workload = generateTestKey('ES256');
  tmp = mkdtempSync(join(tmpdir(), 'wit-svid-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A SPIFFE bundle as SPIRE publishes it: x509 and JWT-SVID elements beside the WIT-SVID key. */
function bundleWith(...witKeys: Record<string, unknown>[]) {
  const other = generateTestKey('ES256');
  return {
    keys: [
      { ...other.publicJwk, alg: undefined, use: 'jwt-svid', kid: 'jwt-key-1' },
      ...witKeys.map((key) => ({ use: 'wit-svid', ...key })),
    ],
    spiffe_refresh_hint: 300,
    spiffe_sequence: 7,
  };
}

const publicOf = (key: TestKeyPair, kid: string) => ({ ...key.publicJwk, alg: undefined, kid });

function verifierOptions(issuerOptions: IssuerOptions, profile?: VerifierOptions['profile']): VerifierOptions {
  return {
    trustDomains: [{ trustDomain: TD, issuers: [issuerOptions] }],
    audiences: [AUDIENCE],
    now,
    ...(profile === undefined ? {} : { profile }),
  };
}

function witSvid(overrides: Partial<MintWitOptions> = {}): Promise<string> {
  return mintWit({
    issuerKey: issuer,
    kid: 'wit-key-1',
    sub: SPIFFE_ID,
    cnfJwk: workload.publicJwk,
    iat: NOW_SEC - 60,
    exp: NOW_SEC + 3600,
    ...overrides,
  });
}

async function requestWith(wit: string, workloadKey: TestKeyPair = workload) {
  return signedWorkloadRequest({ wit, workloadKey });
}

describe('WIT-SVID issuer profile: configuration', () => {
  const bundle = () => bundleWith(publicOf(issuer, 'wit-key-1'));

  it('a SPIFFE bundle source makes the issuer a wit-svid issuer on spiffe://<td>', async () => {
    const verifier = createVerifier(verifierOptions({ spiffeBundle: bundle() }));
    const identity = await verifier.verify(await requestWith(await witSvid()));
    assert.equal(identity.id, SPIFFE_ID);
    // The default origin is spiffe:// only: the same issuer cannot assert wimse://example.org.
    await rejectsWith(
      verifier.verify(await requestWith(await witSvid({ sub: 'wimse://example.org/ns/prod/sa/checkout' }))),
      'untrusted_issuer',
    );
  });

  it('refuses settings the profile forbids, naming the field', () => {
    const cases: [IssuerOptions, RegExp][] = [
      [
        { spiffeBundle: bundle(), algorithms: ['ES256', 'EdDSA'] },
        /issuers\[0\]\.algorithms must be algorithms the wit-svid profile allows, got the string "EdDSA"/,
      ],
      [
        { spiffeBundle: bundle(), origins: ['wimse://example.org'] },
        /issuers\[0\]\.origins must be spiffe:\/\/ origins \(wit-svid profile\)/,
      ],
      [{ spiffeBundle: bundle(), profile: 'wimse' }, /issuers\[0\]\.profile/],
      [{ jwks: { keys: [issuer.publicJwk] }, profile: 'spire' as never }, /issuers\[0\]\.profile must be one of/],
      [
        { spiffeBundle: bundleWith() },
        /spiffeBundle must be a bundle with a usable "wit-svid" key \(EC or RSA, with a kid\), got none/,
      ],
      [
        { spiffeBundle: { keys: [{ ...issuer.publicJwk, kid: undefined, use: 'wit-svid' }] } },
        /a wit-svid key must have a kid/,
      ],
      [
        { spiffeBundle: { keys: [publicOf(issuer, 'a'), { ...publicOf(workload, 'a'), use: 'wit-svid' }] } },
        /kid a appears twice/,
      ],
      [
        {
          spiffeBundle: {
            keys: [{ ...(issuer.privateKey.export({ format: 'jwk' }) as object), kid: 'k', use: 'wit-svid' }],
          },
        },
        /not a public key/,
      ],
      [{ spiffeBundle: { keys: 'none' } as never }, /must have a keys array/],
      [
        { spiffeBundleFile: join(tmp, 'missing.json') },
        /spiffeBundleFile must be a readable file, got the string ".*missing\.json"/,
      ],
      [
        { spiffeBundleUri: 'http://bundles.example.org/bundle' },
        /spiffeBundleUri must be an https URL \(plain http only on loopback\)/,
      ],
      [{ spiffeBundleUri: 'https://bundles.example.org/', cooldownMs: -1 }, /cooldownMs must be a positive number/],
      [
        { spiffeBundleUri: 'https://bundles.example.org/', jwks: { keys: [issuer.publicJwk] } },
        /exactly one key source/,
      ],
    ];
    for (const [issuerOptions, message] of cases) {
      assert.throws(() => createVerifier(verifierOptions(issuerOptions)), { name: 'TypeError', message });
    }
  });

  it('profile "wit-svid" also applies to an issuer configured with a plain JWKS', async () => {
    const options = verifierOptions({ jwks: { keys: [issuer.publicJwk] }, profile: 'wit-svid' });
    assert.equal((await createVerifier(options).verify(await requestWith(await witSvid()))).id, SPIFFE_ID);
    await rejectsWith(
      createVerifier(options).verify(await requestWith(await witSvid({ kid: undefined }))),
      'wit_invalid',
    );
  });
});

describe('WIT-SVID issuer profile: what it accepts and refuses', () => {
  it('accepts every RS/ES/PS algorithm the standard lists, with a key of use wit-svid', async () => {
    for (const alg of ['ES256', 'ES384', 'RS256', 'PS256'] as const) {
      const key = generateTestKey(alg);
      const options = verifierOptions({ spiffeBundle: bundleWith(publicOf(key, `k-${alg}`)) });
      const wit = await witSvid({ issuerKey: key, kid: `k-${alg}` });
      assert.equal((await createVerifier(options).verify(await requestWith(wit))).id, SPIFFE_ID, alg);
    }
  });

  it('refuses a WIT-SVID without kid before looking at the bundle', async () => {
    const options = verifierOptions({ spiffeBundle: bundleWith(publicOf(issuer, 'wit-key-1')) });
    const error = await rejectsWith(
      createVerifier(options).verify(await requestWith(await witSvid({ kid: undefined }))),
      'wit_invalid',
    );
    assert.match(error.message, /must carry kid/);
  });

  it('refuses EdDSA, for the WIT and for cnf.jwk', async () => {
    const edIssuer = generateTestKey('EdDSA');
    const options = verifierOptions({
      spiffeBundle: bundleWith(publicOf(issuer, 'wit-key-1'), publicOf(edIssuer, 'ed-key')),
    });
    const edSigned = await witSvid({ issuerKey: edIssuer, kid: 'ed-key' });
    const error = await rejectsWith(createVerifier(options).verify(await requestWith(edSigned)), 'wit_invalid');
    assert.match(error.message, /alg EdDSA is not allowed/);

    const edWorkload = generateTestKey('EdDSA');
    const edBound = await witSvid({ cnfJwk: edWorkload.publicJwk });
    const cnfError = await rejectsWith(
      createVerifier(options).verify(await requestWith(edBound, edWorkload)),
      'wit_invalid',
    );
    assert.match(cnfError.message, /cnf\.jwk alg EdDSA is not allowed/);
  });

  it('uses only keys whose use is wit-svid: a jwt-svid, x509-svid or unmarked key signs nothing', async () => {
    const wit = await witSvid();
    for (const use of ['jwt-svid', 'x509-svid', 'sig', undefined]) {
      const stray = { ...publicOf(issuer, 'wit-key-1'), use };
      const other = generateTestKey('ES256');
      const options = verifierOptions({
        spiffeBundle: { keys: [stray, { ...publicOf(other, 'k2'), use: 'wit-svid' }] },
      });
      const error = await rejectsWith(createVerifier(options).verify(await requestWith(wit)), 'wit_invalid');
      assert.match(error.message, /no trusted key matches the WIT kid/, String(use));
    }
  });

  it('refuses aud, under every signature profile (even one that tolerates aud in plain WITs)', async () => {
    const issuerOptions = { spiffeBundle: bundleWith(publicOf(issuer, 'wit-key-1')) };
    const wit = await witSvid({ extraClaims: { aud: 'spiffe://example.org/ns/prod/sa/orders' } });
    await rejectsWith(createVerifier(verifierOptions(issuerOptions)).verify(await requestWith(wit)), 'wit_invalid');
    assert.equal(profiles['service-to-service'].witAudienceTolerated, true);
    const { verifyWit } = await import('../src/wit/verify-wit.js');
    const { buildTrustRegistry } = await import('../src/trust/build-trust-registry.js');
    const context = {
      trust: buildTrustRegistry(verifierOptions(issuerOptions).trustDomains),
      profile: profiles['service-to-service'],
      clockToleranceSec: 60,
      nowMs: now(),
    };
    const error = await rejectsWith(verifyWit(wit, context), 'wit_invalid');
    assert.match(error.message, /wit-svid WIT must not carry aud/);
    // Control: the same WIT without aud passes the WIT stage under that profile.
    assert.equal((await verifyWit(await witSvid(), context)).subject.id, SPIFFE_ID);
  });

  it('a key whose type does not fit the alg is no match', async () => {
    const rsa = generateTestKey('RS256');
    // The bundle names kid wit-key-1 for an RSA key; the WIT says ES256.
    const options = verifierOptions({ spiffeBundle: bundleWith(publicOf(rsa, 'wit-key-1')) });
    await rejectsWith(createVerifier(options).verify(await requestWith(await witSvid())), 'wit_invalid');
  });
});

/** A bundle endpoint on 127.0.0.1 whose answer the test changes, counting fetches. */
class BundleEndpoint {
  body: string | undefined;
  status = 200;
  hang = false;
  fetches = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    const server = createServer((_req, res) => {
      this.fetches++;
      if (this.hang) return;
      res.writeHead(this.status, { 'content-type': 'application/json' });
      res.end(this.body);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('WIT-SVID issuer profile: bundle endpoint and bundle file', () => {
  let endpoint: BundleEndpoint;
  before(async () => {
    endpoint = await new BundleEndpoint().start();
  });
  after(() => endpoint.stop());

  it('verifies a request end to end with keys from a bundle endpoint', async () => {
    endpoint.body = JSON.stringify(bundleWith(publicOf(issuer, 'wit-key-1')));
    endpoint.fetches = 0;
    const verifier = createVerifier(verifierOptions({ spiffeBundleUri: endpoint.url }));
    assert.equal((await verifier.verify(await requestWith(await witSvid()))).id, SPIFFE_ID);
    assert.equal((await verifier.verify(await requestWith(await witSvid()))).id, SPIFFE_ID);
    assert.equal(endpoint.fetches, 1, 'the bundle is fetched once and reused within its refresh hint');
  });

  it('honours spiffe_refresh_hint, within cooldownMs and cacheMaxAgeMs', async () => {
    let clock = 1_000_000;
    const lookup = (cacheMaxAgeMs?: number) =>
      createSpiffeBundleKeySet(
        { spiffeBundleUri: endpoint.url, cooldownMs: 5_000, ...(cacheMaxAgeMs ? { cacheMaxAgeMs } : {}) },
        'test',
        () => clock,
      ).getKey;
    const header = { alg: 'ES256', kid: 'wit-key-1' };
    const token = { payload: '', signature: '' } as never;

    endpoint.body = JSON.stringify({ ...bundleWith(publicOf(issuer, 'wit-key-1')), spiffe_refresh_hint: 60 });
    endpoint.fetches = 0;
    const getKey = lookup();
    await getKey(header, token);
    clock += 59_000;
    await getKey(header, token);
    assert.equal(endpoint.fetches, 1, 'within the 60 s hint: no fetch');
    clock += 1_000;
    await getKey(header, token);
    assert.equal(endpoint.fetches, 2, 'once the hint has passed: fetched again');

    // A hint of one second is floored at cooldownMs; a hint of a day is capped at cacheMaxAgeMs.
    endpoint.body = JSON.stringify({ ...bundleWith(publicOf(issuer, 'wit-key-1')), spiffe_refresh_hint: 1 });
    endpoint.fetches = 0;
    const short = lookup();
    await short(header, token);
    clock += 4_000;
    await short(header, token);
    assert.equal(endpoint.fetches, 1);
    clock += 1_000;
    await short(header, token);
    assert.equal(endpoint.fetches, 2);

    endpoint.body = JSON.stringify({ ...bundleWith(publicOf(issuer, 'wit-key-1')), spiffe_refresh_hint: 86_400 });
    endpoint.fetches = 0;
    const long = lookup(120_000);
    await long(header, token);
    clock += 119_000;
    await long(header, token);
    assert.equal(endpoint.fetches, 1);
    clock += 1_000;
    await long(header, token);
    assert.equal(endpoint.fetches, 2);
  });

  it('picks up a rotated-in key on an unknown kid, at most once per cooldown', async () => {
    let clock = 5_000_000;
    const rotated = generateTestKey('ES256');
    endpoint.body = JSON.stringify(bundleWith(publicOf(issuer, 'wit-key-1')));
    endpoint.fetches = 0;
    const { getKey } = createSpiffeBundleKeySet(
      { spiffeBundleUri: endpoint.url, cooldownMs: 10_000 },
      'test',
      () => clock,
    );
    const token = { payload: '', signature: '' } as never;
    await getKey({ alg: 'ES256', kid: 'wit-key-1' }, token);
    clock += 10_000;
    endpoint.body = JSON.stringify(bundleWith(publicOf(issuer, 'wit-key-1'), publicOf(rotated, 'wit-key-2')));
    await getKey({ alg: 'ES256', kid: 'wit-key-2' }, token);
    assert.equal(endpoint.fetches, 2, 'an unknown kid fetched the bundle again');
    await assert.rejects(async () => getKey({ alg: 'ES256', kid: 'nobody' }, token), errors.JWKSNoMatchingKey);
    assert.equal(endpoint.fetches, 2, 'within the cooldown an unknown kid is refused without a fetch');
  });

  it('fails closed (503) when the endpoint is down, errs, hangs or serves garbage, and does not hammer it', async () => {
    const wit = await witSvid();
    for (const setup of [
      () => {
        endpoint.status = 500;
        endpoint.body = '{}';
      },
      () => {
        endpoint.status = 200;
        endpoint.body = 'not json';
      },
      () => {
        endpoint.body = JSON.stringify({
          keys: [{ ...publicOf(issuer, 'wit-key-1'), kid: undefined, use: 'wit-svid' }],
        });
      },
      () => {
        endpoint.hang = true;
      },
    ]) {
      endpoint.status = 200;
      endpoint.hang = false;
      setup();
      endpoint.fetches = 0;
      const verifier = createVerifier(verifierOptions({ spiffeBundleUri: endpoint.url, timeoutMs: 200 }));
      await rejectsWith(verifier.verify(await requestWith(wit)), 'unavailable');
      const again = await rejectsWith(verifier.verify(await requestWith(wit)), 'unavailable');
      assert.equal(again.headers['Retry-After'], '1', 'told when to try again (the first backoff, 1 s)');
      assert.equal(endpoint.fetches, 1, 'the second request within the backoff did not fetch again');
    }
    endpoint.hang = false;
    const closed = await new BundleEndpoint().start();
    await closed.stop();
    const verifier = createVerifier(verifierOptions({ spiffeBundleUri: closed.url }));
    await rejectsWith(verifier.verify(await requestWith(wit)), 'unavailable');
  });

  it('reads a bundle file at start-up and again after its refresh hint', async () => {
    let clock = 9_000_000;
    const path = join(tmp, 'bundle.json');
    const rotated = generateTestKey('ES256');
    writeFileSync(path, JSON.stringify({ ...bundleWith(publicOf(issuer, 'wit-key-1')), spiffe_refresh_hint: 30 }));
    const { getKey } = createSpiffeBundleKeySet({ spiffeBundleFile: path, cooldownMs: 1_000 }, 'test', () => clock);
    const token = { payload: '', signature: '' } as never;
    await getKey({ alg: 'ES256', kid: 'wit-key-1' }, token);
    writeFileSync(path, JSON.stringify({ ...bundleWith(publicOf(rotated, 'wit-key-2')), spiffe_refresh_hint: 30 }));
    clock += 29_000;
    await getKey({ alg: 'ES256', kid: 'wit-key-1' }, token);
    clock += 1_000;
    await assert.rejects(async () => getKey({ alg: 'ES256', kid: 'wit-key-1' }, token), errors.JWKSNoMatchingKey);
    await getKey({ alg: 'ES256', kid: 'wit-key-2' }, token);

    const verifier = createVerifier(verifierOptions({ spiffeBundleFile: path }));
    const wit = await witSvid({ issuerKey: rotated, kid: 'wit-key-2' });
    assert.equal((await verifier.verify(await requestWith(wit))).id, SPIFFE_ID);
  });
});
