import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { cryptoBackend } from '@wimse-pep/core';
import { signatureAlgorithms } from '../../packages/core/src/base/algorithms/signature-algorithms.js';
import * as nodeAddress from '../../packages/core/src/base/runtime/node/address.js';
import * as nodeBytes from '../../packages/core/src/base/runtime/node/bytes.js';
import * as nodeHash from '../../packages/core/src/base/runtime/node/hash.js';
import * as nodeKeys from '../../packages/core/src/base/runtime/node/keys.js';
import * as nodeSign from '../../packages/core/src/base/runtime/node/sign-bytes.js';
import * as nodeVerify from '../../packages/core/src/base/runtime/node/verify-signature-bytes.js';
import * as webAddress from '../../packages/core/src/base/runtime/web/address.js';
import * as webBytes from '../../packages/core/src/base/runtime/web/bytes.js';
import * as webHash from '../../packages/core/src/base/runtime/web/hash.js';
import * as webKeys from '../../packages/core/src/base/runtime/web/keys.js';
import * as webSign from '../../packages/core/src/base/runtime/web/sign-bytes.js';
import * as webVerify from '../../packages/core/src/base/runtime/web/verify-signature-bytes.js';
import { generateTestKey } from '../support/keys.js';

/**
 * The Web Crypto backend of the core's runtime seam (base/runtime/web/) against the node:crypto
 * one (base/runtime/node/): both are imported here by path and must agree, then the whole shared
 * adapter case table runs on Hono with the package resolved under `wimse-web-crypto`.
 */
describe('runtime backends', () => {
  it('node:crypto is the backend the core loads on Node by default', () => {
    assert.equal(cryptoBackend, 'node:crypto');
  });

  it('web-crypto backend: bytes and base64 agree with node:crypto for random inputs', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const b64 = nodeBytes.base64Encode(bytes);
      const b64url = nodeBytes.base64urlEncode(bytes);
      assert.equal(webBytes.base64Encode(bytes), b64);
      assert.equal(webBytes.base64urlEncode(bytes), b64url);
      assert.deepEqual(webBytes.base64Decode(b64), new Uint8Array(nodeBytes.base64Decode(b64)));
      assert.deepEqual(webBytes.base64urlDecode(b64url), new Uint8Array(nodeBytes.base64urlDecode(b64url)));
      const text = `é${bytes.join(',')}☃`;
      assert.equal(webBytes.base64urlEncode(text), nodeBytes.base64urlEncode(text));
      assert.equal(webBytes.utf8Text(new TextEncoder().encode(text)), text);
    }
  });

  it('web-crypto backend: SHA-2 digests and constant-time equality agree with node:crypto', () => {
    for (const input of ['', 'nonce-1', 'é☃', new Uint8Array(randomBytes(1000))]) {
      for (const algorithm of ['sha256', 'sha512'] as const) {
        assert.deepEqual(webHash.digest(algorithm, input), new Uint8Array(nodeHash.digest(algorithm, input)));
      }
      assert.equal(webHash.sha256Base64url(input), nodeHash.sha256Base64url(input));
      if (typeof input === 'string') assert.equal(webHash.sha256Binary(input), nodeHash.sha256Binary(input));
    }
    const a = new Uint8Array([1, 2, 3]);
    assert.equal(webHash.equalInConstantTime(a, new Uint8Array([1, 2, 3])), true);
    assert.equal(webHash.equalInConstantTime(a, new Uint8Array([1, 2, 4])), false);
    assert.equal(webHash.equalInConstantTime(a, new Uint8Array([1, 2])), false);
  });

  it('web-crypto backend: IP versions and ranges agree with node:net', () => {
    const addresses = [
      '10.1.2.3',
      '192.168.0.1',
      '256.1.1.1',
      '01.2.3.4',
      '::1',
      '::',
      'fe80::1',
      '2001:db8::8:800:200c:417a',
      '::ffff:10.1.2.3',
      '2001:db8:0:0:0:0:0:1',
      '1:2:3:4:5:6:7:8:9',
      'not-an-ip',
      '2001:db8::1::2',
    ];
    const ranges: [string, number][] = [
      ['10.0.0.0', 8],
      ['2001:db8::', 32],
      ['::1', 128],
    ];
    const nodeRanges = nodeAddress.addressRanges();
    const webRanges = webAddress.addressRanges();
    for (const [address, prefix] of ranges) {
      nodeRanges.add(address, prefix);
      webRanges.add(address, prefix);
    }
    for (const address of addresses) {
      assert.equal(webAddress.ipVersion(address), nodeAddress.ipVersion(address), address);
      assert.equal(webRanges.has(address), nodeRanges.has(address), address);
    }
  });

  it('web-crypto backend: public JWKs refused where node:crypto refuses them (off-curve point, bad coordinates)', () => {
    const { publicJwk } = generateTestKey('ES256');
    const offCurve = { ...publicJwk, y: nodeBytes.base64urlEncode(new Uint8Array(32).fill(7)) };
    const short = { ...publicJwk, x: 'AAAA' };
    for (const jwk of [offCurve, short]) {
      assert.throws(() => nodeKeys.importPublicJwk(jwk));
      assert.throws(() => webKeys.importPublicJwk(jwk));
    }
    const rsa = generateTestKey('RS256').publicJwk;
    assert.equal(webKeys.rsaModulusBits(webKeys.importPublicJwk(rsa)), 2048);
  });

  for (const alg of ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const) {
    it(`web-crypto backend: ${alg} signatures cross-verify with node:crypto both ways`, async () => {
      const key = generateTestKey(alg);
      const algorithm = signatureAlgorithms[alg] as (typeof signatureAlgorithms)[string];
      const base = `"@method": POST\n"@signature-params": ("@method");created=1`;
      const webPrivate = webKeys.importPrivateKey(key.privateKey.export({ format: 'jwk' }));
      const webPublic = webKeys.importPublicJwk(key.publicJwk);
      const byWeb = await webSign.signBytes(base, webPrivate, algorithm);
      await nodeVerify.verifySignatureBytes(base, byWeb, key.publicKey, algorithm);
      const byNode = await nodeSign.signBytes(base, key.privateKey, algorithm);
      await webVerify.verifySignatureBytes(base, byNode, webPublic, algorithm);
      const tampered = new Uint8Array(byNode);
      tampered[10] = (tampered[10] as number) ^ 1;
      await assert.rejects(webVerify.verifySignatureBytes(base, tampered, webPublic, algorithm), {
        code: 'signature_invalid',
      });
    });
  }

  it('web-crypto backend: the shared adapter case table passes on Hono with the core resolved under wimse-web-crypto', () => {
    const conditions = ['--conditions=wimse-source', '--conditions=wimse-web-crypto', '--import', 'tsx'];
    const backend = spawnSync(
      process.execPath,
      [...conditions, '--input-type=module', '-e', "console.log((await import('@wimse-pep/core')).cryptoBackend)"],
      { encoding: 'utf8', env: childEnv() },
    );
    assert.equal(backend.stdout.trim(), 'web-crypto', backend.stderr);
    const run = spawnSync(
      process.execPath,
      [
        ...conditions,
        '--test',
        '--test-reporter=tap',
        '--test-name-pattern=adapter: hono',
        'test/adapters/adapters.test.ts',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: childEnv() },
    );
    const passed = Number(/^# pass (\d+)$/m.exec(run.stdout)?.[1] ?? 0);
    const failed = Number(/^# fail (\d+)$/m.exec(run.stdout)?.[1] ?? -1);
    assert.equal(failed, 0, run.stdout.slice(-4000));
    assert.ok(passed >= 69, `only ${passed} cases passed on the Web Crypto backend`);
    assert.equal(run.status, 0);
  });

  it('web-crypto backend: WPTs, Transaction Tokens, signed responses and the verifier pipeline, under wimse-web-crypto', () => {
    const files = [
      'test/conformance/threats/wpt.test.ts',
      'test/adapters/wpt-adapters.test.ts',
      'packages/core/test/transaction-token.test.ts',
      'packages/core/test/verify-request.test.ts',
      'packages/core/test/responses.test.ts',
    ];
    const conditions = ['--conditions=wimse-source', '--conditions=wimse-web-crypto', '--import', 'tsx'];
    const run = spawnSync(process.execPath, [...conditions, '--test', '--test-reporter=tap', ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: childEnv(),
    });
    const passed = Number(/^# pass (\d+)$/m.exec(run.stdout)?.[1] ?? 0);
    const failed = Number(/^# fail (\d+)$/m.exec(run.stdout)?.[1] ?? -1);
    assert.equal(failed, 0, run.stdout.slice(-4000));
    assert.ok(passed >= 150, `only ${passed} tests passed on the Web Crypto backend`);
    assert.equal(run.status, 0);
  });
});

/** The environment without the test runner's own context (a child `node --test` would report to it). */
function childEnv(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  return env;
}
