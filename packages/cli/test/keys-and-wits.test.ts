import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseWorkloadId } from '@wimse-pep/core';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { runCli, runSpawned, tempDir } from './support/run-cli.js';

const dir = tempDir();
const path = (name: string) => join(dir, name);
const SUB = 'wimse://example.com/service/checkout';

async function keygen(name: string, alg: string) {
  const result = await runCli(['keygen', '--alg', alg, '--out', path(name)]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, string>;
}

describe('keygen', () => {
  it('writes a private JWK (mode 0600) and prints the public JWK', async () => {
    for (const alg of ['ES256', 'EdDSA']) {
      const publicJwk = await keygen(`k-${alg}.jwk`, alg);
      const privateJwk = JSON.parse(readFileSync(path(`k-${alg}.jwk`), 'utf8')) as Record<string, string>;
      assert.equal(publicJwk.alg, alg);
      assert.equal(publicJwk.d, undefined);
      assert.equal(typeof privateJwk.d, 'string');
      assert.equal(privateJwk.kid, publicJwk.kid);
      assert.equal(privateJwk.x, publicJwk.x);
      assert.equal(statSync(path(`k-${alg}.jwk`)).mode & 0o777, 0o600);
    }
  });

  it('never overwrites a key without --force', async () => {
    const before = readFileSync(path('k-ES256.jwk'), 'utf8');
    const refused = await runCli(['keygen', '--out', path('k-ES256.jwk')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /exists; pass --force/);
    assert.equal(readFileSync(path('k-ES256.jwk'), 'utf8'), before);
    assert.equal((await runCli(['keygen', '--out', path('k-ES256.jwk'), '--force'])).code, 0);
    assert.notEqual(readFileSync(path('k-ES256.jwk'), 'utf8'), before);
  });

  it('works end to end in a spawned process', { timeout: 30_000 }, async () => {
    const result = await runSpawned(['keygen', '--alg', 'EdDSA', '--out', path('spawned.jwk')]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { crv: string }).crv, 'Ed25519');
    assert.match(result.stderr, /keep it secret/);
  });
});

describe('mint and inspect', () => {
  it('mint signs a WIT binding the workload public key; inspect decodes it', async () => {
    await keygen('issuer.jwk', 'ES256');
    const workload = await keygen('workload.jwk', 'EdDSA');
    const minted = await runCli([
      'mint',
      '--issuer-key',
      path('issuer.jwk'),
      '--sub',
      SUB,
      '--workload-key',
      path('workload.jwk'), // the private JWK: only its public part goes into cnf.jwk
      '--ttl',
      '600',
      '--iss',
      'https://issuer.example.com',
    ]);
    assert.equal(minted.code, 0, minted.stderr);
    const wit = minted.stdout.trim();
    writeFileSync(path('checkout.wit'), `${wit}\n`);
    const header = decodeProtectedHeader(wit);
    const claims = decodeJwt(wit) as { sub: string; exp: number; iat: number; cnf: { jwk: Record<string, string> } };
    assert.equal(header.typ, 'wit+jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(claims.sub, SUB);
    assert.equal(claims.exp - claims.iat, 600);
    assert.deepEqual(claims.cnf.jwk, { crv: 'Ed25519', x: workload.x, kty: 'OKP', alg: 'EdDSA' });

    const inspected = await runCli(['inspect', path('checkout.wit')]);
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.match(inspected.stdout, /"typ": "wit\+jwt"/);
    assert.match(inspected.stdout, new RegExp(`subject: +${SUB}`));
    assert.match(inspected.stdout, /expires: .*\(in 9m 5\ds\)|\(in 10m\)/);
    assert.match(inspected.stdout, /signature: not checked/);
    // the token itself works as well as a file (the time left may tick between the two runs)
    const withoutTimeLeft = (text: string) => text.replace(/\(in [^)]*\)/g, '(in …)');
    assert.equal(withoutTimeLeft((await runCli(['inspect', wit])).stdout), withoutTimeLeft(inspected.stdout));
  });

  it('inspect --jwks checks the signature: exit 0 when valid, 1 when not', async () => {
    const issuer = JSON.parse(readFileSync(path('issuer.jwk'), 'utf8')) as Record<string, string>;
    const { d: _d, ...publicIssuer } = issuer;
    writeFileSync(path('jwks.json'), JSON.stringify({ keys: [publicIssuer] }));
    const valid = await runCli(['inspect', path('checkout.wit'), '--jwks', path('jwks.json')]);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /signature: valid/);
    const wit = readFileSync(path('checkout.wit'), 'utf8').trim();
    await jwtVerify(wit, createLocalJWKSet({ keys: [publicIssuer] }), { typ: 'wit+jwt' });

    const other = await keygen('other.jwk', 'ES256');
    writeFileSync(path('other-jwks.json'), JSON.stringify({ keys: [other] }));
    const invalid = await runCli(['inspect', path('checkout.wit'), '--jwks', path('other-jwks.json')]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stdout, /signature: INVALID/);
    assert.match(invalid.stderr, /the signature is invalid/);

    // a forged signature under the right kid
    const [h, p] = wit.split('.');
    const forged = `${h}.${p}.${Buffer.alloc(64, 7).toString('base64url')}`;
    assert.equal((await runCli(['inspect', forged, '--jwks', path('jwks.json')])).code, 1);
  });

  it('inspect reports an expired WIT (exit 1 with --jwks) and refuses what is not a WIT', async () => {
    const minted = await runCli([
      'mint',
      '--issuer-key',
      path('issuer.jwk'),
      '--sub',
      SUB,
      '--workload-key',
      path('workload.jwk'),
      '--ttl',
      '1',
    ]);
    const wit = minted.stdout.trim();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await runCli(['inspect', wit]);
    assert.equal(expired.code, 0);
    assert.match(expired.stdout, /EXPIRED/);
    const checked = await runCli(['inspect', wit, '--jwks', path('jwks.json')]);
    assert.equal(checked.code, 1);
    assert.match(checked.stderr, /expired/);

    writeFileSync(path('garbage.txt'), 'hello');
    const garbage = await runCli(['inspect', path('garbage.txt')]);
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /not a WIT/);
    assert.equal((await runCli(['inspect', path('missing.wit')])).code, 2);
  });

  it('mint refuses a non-canonical sub and a public issuer key', async () => {
    const base = ['--workload-key', path('workload.jwk')];
    const bad = await runCli([
      'mint',
      '--issuer-key',
      path('issuer.jwk'),
      '--sub',
      'wimse://example.com/a//b',
      ...base,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /empty path segment/);
    assert.throws(() => parseWorkloadId('wimse://example.com/a//b'));
    const pub = await runCli(['mint', '--issuer-key', path('jwks.json'), '--sub', SUB, ...base]);
    assert.equal(pub.code, 2);
    assert.match(pub.stderr, /key set|private key/);
  });
});
