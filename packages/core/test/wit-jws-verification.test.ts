/**
 * The WIT's JWS is verified with node:crypto (not jose's jwtVerify): every check jwtVerify made
 * must refuse with the same code, in the same order, and every algorithm an issuer may use must
 * still verify. Real keys and real signatures throughout; jose only mints tokens.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign, type webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createVerifier, type VerifierOptions, type WimseErrorCode } from '@wimse-pep/core';
import { base64url, calculateJwkThumbprint } from 'jose';
import {
  CALLER_ID,
  createScenario,
  generateTestKey,
  ISSUER,
  NOW_SEC,
  type Scenario,
  signedWorkloadRequest,
  type TestKeyPair,
  TRUST_DOMAIN,
  witFor,
} from '../../../test/support/index.js';
import { rejectsWith } from './helpers.js';

let scenario: Scenario;
before(async () => {
  scenario = await createScenario({ issuerAlg: 'ES256', workloadAlg: 'ES256' });
});

const HEADER = { alg: 'ES256', typ: 'wit+jwt', kid: 'issuer-1' };

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: CALLER_ID,
    iss: ISSUER,
    cnf: { jwk: scenario.workloadKey.publicJwk },
    iat: NOW_SEC - 60,
    exp: NOW_SEC + 3600,
    ...overrides,
  };
}

/** A compact JWS over exactly these header and payload bytes, signed by hand with node:crypto. */
function signBytes(header: Uint8Array | string, payload: Uint8Array | string, key: KeyObject, alg = 'ES256'): string {
  const input = `${base64url.encode(header)}.${base64url.encode(payload)}`;
  const hash = alg === 'EdDSA' || alg === 'Ed25519' ? null : `sha${alg.slice(2)}`;
  const keyInput = alg.startsWith('ES')
    ? { key, dsaEncoding: 'ieee-p1363' as const }
    : alg.startsWith('PS')
      ? { key, padding: 6, saltLength: -1 }
      : key;
  return `${input}.${base64url.encode(sign(hash, Buffer.from(input), keyInput))}`;
}

function signJson(header: object, payload: object, key: KeyObject = scenario.issuerKey.privateKey): string {
  return signBytes(JSON.stringify(header), JSON.stringify(payload), key, (header as { alg?: string }).alg);
}

async function verdict(wit: string, options: VerifierOptions = scenario.options): Promise<WimseErrorCode | 'ok'> {
  try {
    await createVerifier({ ...options, witCacheSize: 0 }).verify(
      await signedWorkloadRequest({ wit, workloadKey: scenario.workloadKey }),
    );
    return 'ok';
  } catch (error) {
    return (error as { code: WimseErrorCode }).code;
  }
}

/** For tokens the client itself refuses to send: the WIT stage runs before the signature is read. */
async function verdictOfRawWit(wit: string): Promise<WimseErrorCode | 'ok'> {
  const request = await signedWorkloadRequest(scenario);
  try {
    await createVerifier({ ...scenario.options, witCacheSize: 0 }).verify({
      ...request,
      headers: { ...request.headers, 'workload-identity-token': wit },
    });
    return 'ok';
  } catch (error) {
    return (error as { code: WimseErrorCode }).code;
  }
}

describe('WIT JWS through node:crypto: claim checks keep their codes', () => {
  const cases: [string, () => Record<string, unknown>, WimseErrorCode | 'ok'][] = [
    ['a valid WIT', () => claims(), 'ok'],
    ['no exp', () => claims({ exp: undefined }), 'wit_invalid'],
    ['exp a string', () => claims({ exp: String(NOW_SEC + 3600) }), 'wit_invalid'],
    ['exp null', () => claims({ exp: null }), 'wit_invalid'],
    ['exp passed beyond the tolerance', () => claims({ exp: NOW_SEC - 61 }), 'wit_expired'],
    ['exp exactly at now minus the tolerance', () => claims({ exp: NOW_SEC - 60 }), 'wit_expired'],
    ['exp passed within the tolerance', () => claims({ exp: NOW_SEC - 59 }), 'ok'],
    ['no cnf', () => claims({ cnf: undefined }), 'wit_invalid'],
    ['iat a string', () => claims({ iat: 'yesterday' }), 'wit_invalid'],
    ['nbf a string', () => claims({ nbf: 'soon' }), 'wit_invalid'],
    ['nbf beyond the tolerance', () => claims({ nbf: NOW_SEC + 61 }), 'wit_invalid'],
    ['nbf within the tolerance', () => claims({ nbf: NOW_SEC + 60 }), 'ok'],
    // Order: jose checked iat and nbf before exp, so these are invalid rather than expired.
    ['expired and iat a string', () => claims({ exp: NOW_SEC - 600, iat: 'x' }), 'wit_invalid'],
    ['expired and nbf in the future', () => claims({ exp: NOW_SEC - 600, nbf: NOW_SEC + 600 }), 'wit_invalid'],
    ['expired and no cnf', () => claims({ exp: NOW_SEC - 600, cnf: undefined }), 'wit_invalid'],
    ['iat in the future', () => claims({ iat: NOW_SEC + 600 }), 'wit_invalid'],
    ['expired and iat in the future', () => claims({ exp: NOW_SEC - 600, iat: NOW_SEC + 600 }), 'wit_expired'],
  ];
  for (const [name, make, expected] of cases) {
    it(`${name}: ${expected}`, async () => {
      assert.equal(await verdict(signJson(HEADER, make())), expected);
    });
  }
});

describe('WIT JWS through node:crypto: header rules (crit, b64)', () => {
  const cases: [string, Record<string, unknown>, WimseErrorCode | 'ok'][] = [
    ['crit naming b64 with b64 true (RFC 7797, payload still encoded)', { crit: ['b64'], b64: true }, 'ok'],
    ['b64 false without crit (no effect)', { b64: false }, 'ok'],
    ['crit empty', { crit: [] }, 'wit_invalid'],
    ['crit not an array', { crit: 'b64', b64: true }, 'wit_invalid'],
    ['crit with an empty name', { crit: [''] }, 'wit_invalid'],
    ['crit with a number', { crit: [7] }, 'wit_invalid'],
    ['crit naming b64 without b64', { crit: ['b64'] }, 'wit_invalid'],
    ['crit naming b64 with b64 a string', { crit: ['b64'], b64: 'true' }, 'wit_invalid'],
    ['crit naming b64 with b64 false (unencoded payload)', { crit: ['b64'], b64: false }, 'wit_invalid'],
    ['crit naming an unknown extension', { crit: ['exp'], exp: 1 }, 'wit_invalid'],
  ];
  for (const [name, extra, expected] of cases) {
    it(`${name}: ${expected}`, async () => {
      assert.equal(await verdict(signJson({ ...HEADER, ...extra }, claims())), expected);
    });
  }
});

describe('WIT JWS through node:crypto: encoding and signature', () => {
  it('refuses a payload that is not UTF-8 as wit_malformed', async () => {
    const payload = Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    assert.equal(
      await verdictOfRawWit(signBytes(JSON.stringify(HEADER), payload, scenario.issuerKey.privateKey)),
      'wit_malformed',
    );
  });
  it('refuses a header that is not UTF-8 as wit_malformed', async () => {
    const header = Buffer.concat([
      Buffer.from('{"alg":"ES256","typ":"wit+jwt","x":"'),
      Buffer.from([0xc3]),
      Buffer.from('"}'),
    ]);
    assert.equal(
      await verdictOfRawWit(signBytes(header, JSON.stringify(claims()), scenario.issuerKey.privateKey)),
      'wit_malformed',
    );
  });
  it('refuses a payload that is a JSON array or a header that is null as wit_malformed', async () => {
    assert.equal(
      await verdictOfRawWit(signBytes(JSON.stringify(HEADER), '[1]', scenario.issuerKey.privateKey)),
      'wit_malformed',
    );
    assert.equal(
      await verdictOfRawWit(signBytes('null', JSON.stringify(claims()), scenario.issuerKey.privateKey)),
      'wit_malformed',
    );
  });
  it('refuses a header or payload that starts with a UTF-8 byte order mark (one spelling, threat W9)', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const header = Buffer.concat([bom, Buffer.from(JSON.stringify(HEADER))]);
    const payload = Buffer.concat([bom, Buffer.from(JSON.stringify(claims()))]);
    const key = scenario.issuerKey.privateKey;
    assert.equal(await verdict(signBytes(header, JSON.stringify(claims()), key)), 'wit_malformed');
    assert.equal(await verdict(signBytes(JSON.stringify(HEADER), payload, key)), 'wit_malformed');
    // The same token without the mark is the issuer's one spelling, and verifies.
    assert.equal(await verdict(signBytes(JSON.stringify(HEADER), JSON.stringify(claims()), key)), 'ok');
  });
  it('refuses a WIT header field with a byte order mark or any byte outside the compact JWS alphabet', async () => {
    const wit = signJson(HEADER, claims());
    for (const value of [
      `\uFEFF${wit}`,
      `\u00EF\u00BB\u00BF${wit}`,
      `${wit}\u00A0`,
      `${wit.slice(0, 10)}+${wit.slice(11)}`,
    ]) {
      assert.equal(await verdictOfRawWit(value), 'wit_malformed', JSON.stringify(value.slice(0, 4)));
    }
  });
  it('refuses a changed payload and a truncated signature as wit_invalid, no signature as wit_malformed', async () => {
    const wit = signJson(HEADER, claims());
    const [header, , signature] = wit.split('.') as [string, string, string];
    const changed = base64url.encode(JSON.stringify(claims({ sub: 'wimse://td.example/service/other' })));
    assert.equal(await verdict(`${header}.${changed}.${signature}`), 'wit_invalid');
    const [h, p] = wit.split('.');
    assert.equal(
      await verdict(`${h}.${p}.${base64url.encode(base64url.decode(signature).subarray(0, 63))}`),
      'wit_invalid',
    );
    // The header grammar (three non-empty segments) refuses it before any decoding.
    assert.equal(await verdictOfRawWit(`${h}.${p}.`), 'wit_malformed');
  });
  it('refuses a DER-encoded ECDSA signature (JWS uses r||s) as wit_invalid', async () => {
    const input = `${base64url.encode(JSON.stringify(HEADER))}.${base64url.encode(JSON.stringify(claims()))}`;
    const der = sign('sha256', Buffer.from(input), scenario.issuerKey.privateKey);
    assert.equal(await verdict(`${input}.${base64url.encode(der)}`), 'wit_invalid');
  });
  it('checks the signature in both signatureVerification modes', async () => {
    const forged = signJson(HEADER, claims(), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    for (const signatureVerification of ['inline', 'thread-pool'] as const) {
      const options = { ...scenario.options, signatureVerification };
      assert.equal(await verdict(signJson(HEADER, claims()), options), 'ok');
      assert.equal(await verdict(forged, options), 'wit_invalid');
    }
  });
});

describe('WIT JWS through node:crypto: every issuer algorithm verifies', () => {
  const issuerOptions = (key: TestKeyPair, algorithms: string[]): VerifierOptions => ({
    ...scenario.options,
    trustDomains: [
      { trustDomain: TRUST_DOMAIN, issuers: [{ issuer: ISSUER, jwks: { keys: [key.publicJwk] }, algorithms }] },
    ],
  });
  for (const alg of ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] as const) {
    it(`${alg}: accepted when signed by the issuer, refused when signed by another key`, async () => {
      const issuerKey = generateTestKey(alg, 'issuer-1');
      const options = issuerOptions(issuerKey, [alg]);
      assert.equal(await verdict(await witFor({ issuerKey, workloadKey: scenario.workloadKey }), options), 'ok');
      const other = generateTestKey(alg).privateKey;
      assert.equal(
        await verdict(await witFor({ issuerKey, workloadKey: scenario.workloadKey }, { signingKey: other }), options),
        'wit_invalid',
      );
    });
  }
  it('Ed25519 (RFC 9864) verifies under a key published as EdDSA', async () => {
    const issuerKey = generateTestKey('EdDSA', 'issuer-1');
    const wit = signJson({ ...HEADER, alg: 'Ed25519' }, claims(), issuerKey.privateKey);
    assert.equal(await verdict(wit, issuerOptions(issuerKey, ['EdDSA'])), 'ok');
  });
  it('PS256 with a salt other than the digest length is refused (RFC 7518 §3.5)', async () => {
    const issuerKey = generateTestKey('PS256', 'issuer-1');
    const input = `${base64url.encode(JSON.stringify({ ...HEADER, alg: 'PS256' }))}.${base64url.encode(JSON.stringify(claims()))}`;
    const signature = sign('sha256', Buffer.from(input), { key: issuerKey.privateKey, padding: 6, saltLength: 20 });
    assert.equal(
      await verdict(`${input}.${base64url.encode(signature)}`, issuerOptions(issuerKey, ['PS256'])),
      'wit_invalid',
    );
  });
  it('refuses a WIT from an issuer key with a 1024-bit RSA modulus', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const issuerKey: TestKeyPair = {
      alg: 'RS256',
      privateKey: weak.privateKey,
      publicKey: weak.publicKey,
      publicJwk: { ...weak.publicKey.export({ format: 'jwk' }), alg: 'RS256', kid: 'issuer-1' },
    };
    const wit = signJson({ ...HEADER, alg: 'RS256' }, claims(), weak.privateKey);
    assert.equal(await verdict(wit, issuerOptions(issuerKey, ['RS256'])), 'wit_invalid');
  });
});

describe('WIT JWS through node:crypto: key set order and withdrawn keys', () => {
  let server: Server;
  let published: TestKeyPair[] = [];
  let failing = false;
  let base = '';
  before(async () => {
    server = createServer((_req, res) => {
      if (failing) {
        res.statusCode = 500;
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const remote = (jwksUri: string, clock: () => number, witCacheSize = 0): VerifierOptions => ({
    ...scenario.options,
    witCacheSize,
    now: clock,
    trustDomains: [
      {
        trustDomain: TRUST_DOMAIN,
        issuers: [{ issuer: ISSUER, jwksUri, algorithms: ['ES256'], cacheMaxAgeMs: 60_000, cooldownMs: 1_000 }],
      },
    ],
  });

  for (const witCacheSize of [0, 100]) {
    it(`a key withdrawn from a refreshed set no longer verifies, same kid or not (WIT cache ${witCacheSize})`, async () => {
      let clockMs = NOW_SEC * 1000;
      const clock = () => clockMs;
      const first = generateTestKey('ES256', 'issuer-1');
      const rotated = generateTestKey('ES256', 'issuer-1');
      const second = generateTestKey('ES256', 'issuer-2');
      published = [first];
      const verifier = createVerifier(remote(`${base}/jwks-${witCacheSize}`, clock, witCacheSize));
      const witOf = (issuerKey: TestKeyPair) =>
        witFor({ issuerKey, workloadKey: scenario.workloadKey }, { kid: issuerKey.publicJwk.kid });
      // Each request is freshly signed (its own nonce) around the given WIT.
      const requestWith = (wit: string) =>
        signedWorkloadRequest({ wit, workloadKey: scenario.workloadKey }, {}, { now: clock });
      const witOfFirst = await witOf(first);
      assert.equal((await verifier.verify(await requestWith(witOfFirst))).id, CALLER_ID);
      assert.equal((await verifier.verify(await requestWith(witOfFirst))).id, CALLER_ID);
      // The issuer rotates: same kid, new key material, plus a second key; the first is withdrawn.
      published = [rotated, second];
      clockMs += 61_000;
      // The WIT verified before (cached or not) and a new WIT signed by the withdrawn key.
      await rejectsWith(verifier.verify(await requestWith(witOfFirst)), 'wit_invalid');
      await rejectsWith(verifier.verify(await requestWith(await witOf(first))), 'wit_invalid');
      assert.equal((await verifier.verify(await requestWith(await witOf(rotated)))).id, CALLER_ID);
      assert.equal((await verifier.verify(await requestWith(await witOf(second)))).id, CALLER_ID);
    });
  }

  it('refuses a bad crit before the key lookup, and b64 false only after it (the order jose had)', async () => {
    let clockMs = NOW_SEC * 1000;
    const clock = () => clockMs;
    const issuerKey = generateTestKey('ES256', 'issuer-1');
    published = [issuerKey];
    const verifier = createVerifier(remote(`${base}/jwks-order`, clock));
    const request = (header: Record<string, unknown>) =>
      signedWorkloadRequest(
        { wit: signJson({ ...HEADER, ...header }, claims(), issuerKey.privateKey), workloadKey: scenario.workloadKey },
        {},
        { now: clock },
      );
    assert.equal((await verifier.verify(await request({}))).id, CALLER_ID);
    // The set is fresh (no fetch for its generation), the cool-down is over, and the endpoint now
    // fails: an unknown kid makes the key lookup refetch, which fails closed.
    failing = true;
    clockMs += 2_000;
    try {
      await rejectsWith(
        verifier.verify(await request({ kid: 'new', crit: ['x-unknown'], 'x-unknown': 1 })),
        'wit_invalid',
      );
      await rejectsWith(verifier.verify(await request({ kid: 'new', crit: ['b64'], b64: false })), 'unavailable');
    } finally {
      failing = false;
    }
  });
});

describe('RFC 7638 thumbprint (node:crypto) equals jose calculateJwkThumbprint', () => {
  const keys: [string, () => KeyObject][] = [
    ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey],
    ['EC P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey],
    ['EC P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey],
    ['OKP Ed25519', () => generateKeyPairSync('ed25519').publicKey],
    ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey],
  ];
  for (const [name, make] of keys) {
    it(`${name}: jwkThumbprint equals jose's, extra members ignored`, async () => {
      const { jwkThumbprintInput, thumbprintOfInput } = await import('../src/wit/jwk-thumbprint.js');
      const jwkThumbprint = (key: Record<string, unknown>) => thumbprintOfInput(jwkThumbprintInput(key));
      for (let i = 0; i < 3; i++) {
        const jwk = { ...make().export({ format: 'jwk' }), alg: 'x', kid: `k${i}`, use: 'sig' } as Record<
          string,
          unknown
        >;
        assert.equal(jwkThumbprint(jwk), await calculateJwkThumbprint(jwk as never));
      }
    });
  }
  it('through the verifier: identity.keyThumbprint is the RFC 7638 thumbprint of cnf.jwk', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const workloadKey = generateTestKey(alg);
      const wit = await witFor({ issuerKey: scenario.issuerKey, workloadKey });
      const identity = await createVerifier({ ...scenario.options, witCacheSize: 0 }).verify(
        await signedWorkloadRequest({ wit, workloadKey }),
      );
      assert.equal(identity.keyThumbprint, await calculateJwkThumbprint(workloadKey.publicJwk as never));
    }
  });
  it('the same key under different WITs keeps its thumbprint, and a new key gets its own', async () => {
    const { importCnfKey } = await import('../src/wit/import-cnf-key.js');
    const jwk = { ...scenario.workloadKey.publicJwk };
    const a = importCnfKey({ jwk });
    const b = importCnfKey({ jwk: { ...jwk, kid: 'another-name' } });
    assert.equal(a.thumbprint, b.thumbprint);
    assert.equal(a.thumbprint, await calculateJwkThumbprint(jwk as never));
    const other = importCnfKey({ jwk: generateTestKey('ES256').publicJwk });
    assert.notEqual(other.thumbprint, a.thumbprint);
    assert.notEqual(other.publicKey, a.publicKey);
  });
  it('refuses a JWK without its required members', async () => {
    const { jwkThumbprintInput, thumbprintOfInput } = await import('../src/wit/jwk-thumbprint.js');
    const jwkThumbprint = (key: Record<string, unknown>) => thumbprintOfInput(jwkThumbprintInput(key));
    assert.throws(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'AA' }), TypeError);
    assert.throws(() => jwkThumbprint({ kty: 'oct', k: 'AA' }), TypeError);
  });
});

describe('issuer keys as node:crypto KeyObjects', () => {
  const { subtle } = globalThis.crypto;
  const es256 = { kty: 'EC', crv: 'P-256', hash: 'sha256', dsaEncoding: 'ieee-p1363', signatureLength: 64 } as const;

  it('converts a key set CryptoKey once, and a refreshed set gets its own KeyObject', async () => {
    const { issuerKeyObject } = await import('../src/base/runtime/issuer-key-object.js');
    const jwk = generateTestKey('ES256').publicJwk;
    const params = { name: 'ECDSA', namedCurve: 'P-256' };
    const first = await subtle.importKey('jwk', jwk, params, true, ['verify']);
    const again = await subtle.importKey('jwk', jwk, params, true, ['verify']);
    const keyObject = issuerKeyObject(first, 'ES256', es256);
    assert.ok(keyObject);
    assert.equal(keyObject.asymmetricKeyType, 'ec');
    assert.equal(issuerKeyObject(first, 'ES256', es256), keyObject);
    // Another CryptoKey (another set, even with the same material) is converted on its own.
    assert.notEqual(issuerKeyObject(again, 'ES256', es256), keyObject);
  });

  it('refuses keys jose would not have verified with', async () => {
    const { issuerKeyObject } = await import('../src/base/runtime/issuer-key-object.js');
    const { signatureAlgorithms } = await import('../src/base/runtime/signature-algorithms.js');
    const ecdsa = (namedCurve: string) => ({ name: 'ECDSA', namedCurve });
    const p256 = (await subtle.generateKey(ecdsa('P-256'), true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const p384 = (await subtle.generateKey(ecdsa('P-384'), true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const rsaParams = (name: string, hash: string, modulusLength = 2048) => ({
      name,
      hash,
      modulusLength,
      publicExponent: new Uint8Array([1, 0, 1]),
    });
    const pss = (await subtle.generateKey(rsaParams('RSA-PSS', 'SHA-256'), true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const pkcs1 = (await subtle.generateKey(rsaParams('RSASSA-PKCS1-v1_5', 'SHA-384'), true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const weak = (await subtle.generateKey(rsaParams('RSASSA-PKCS1-v1_5', 'SHA-256', 1024), true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const signOnly = await subtle.importKey('jwk', generateTestKey('ES256').publicJwk, ecdsa('P-256'), true, []);
    const alg = (name: string) => signatureAlgorithms[name] as NonNullable<(typeof signatureAlgorithms)[string]>;
    const cases: [string, unknown, string][] = [
      ['a private key', p256.privateKey, 'ES256'],
      ['a P-384 key for ES256', p384.publicKey, 'ES256'],
      ['an ECDSA key for EdDSA', p256.publicKey, 'EdDSA'],
      ['an RSA-PSS key for RS256', pss.publicKey, 'RS256'],
      ['a SHA-384 RSASSA key for RS256', pkcs1.publicKey, 'RS256'],
      ['a 1024-bit RSA key', weak.publicKey, 'RS256'],
      ['a key without the verify usage', signOnly, 'ES256'],
      ['a private KeyObject', generateTestKey('ES256').privateKey, 'ES256'],
      ['a JWK object', generateTestKey('ES256').publicJwk, 'ES256'],
      ['nothing', undefined, 'ES256'],
    ];
    for (const [name, key, jwsAlg] of cases) {
      assert.equal(issuerKeyObject(key, jwsAlg, alg(jwsAlg)), undefined, name);
    }
    assert.ok(issuerKeyObject(pss.publicKey, 'PS256', alg('PS256')), 'RSA-PSS SHA-256 for PS256');
    assert.ok(issuerKeyObject(pkcs1.publicKey, 'RS384', alg('RS384')), 'RSASSA SHA-384 for RS384');
    assert.ok(issuerKeyObject(generateTestKey('ES384').publicKey, 'ES384', alg('ES384')), 'a fitting KeyObject');
  });
});
