import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSubjectAltNames } from '@wimse-pep/core';
import { runCli, tempDir } from './support/run-cli.js';

const dir = tempDir();
const path = (name: string) => join(dir, name);
const SUB = 'wimse://example.com/service/checkout';

describe('ca and mint-wic', () => {
  it('creates a CA and issues a WIC whose one URI SAN is the workload, chaining to the CA', async () => {
    const ca = await runCli(['ca', '--trust-domain', 'example.com', '--out', path('ca')]);
    assert.equal(ca.code, 0, ca.stderr);
    assert.equal(statSync(path('ca.key.pem')).mode & 0o777, 0o600);
    const caCert = new X509Certificate(readFileSync(path('ca.pem')));
    assert.equal(caCert.ca, true);

    const minted = await runCli(['mint-wic', '--ca', path('ca'), '--sub', SUB, '--out', path('wic'), '--ttl', '600']);
    assert.equal(minted.code, 0, minted.stderr);
    assert.equal(statSync(path('wic.key.pem')).mode & 0o777, 0o600);
    const leaf = new X509Certificate(readFileSync(path('wic.pem')));
    assert.deepEqual(parseSubjectAltNames(leaf.subjectAltName), [{ type: 'URI', value: SUB }]);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey));
    const lifetimeMs = Date.parse(leaf.validTo) - Date.now();
    assert.ok(lifetimeMs > 500_000 && lifetimeMs <= 600_000, `lifetime ${lifetimeMs} ms`);
  });

  it('refuses a workload outside the CA trust domain, a missing CA, and files that exist', async () => {
    const outside = await runCli([
      'mint-wic',
      '--ca',
      path('ca'),
      '--sub',
      'wimse://other.example/x',
      '--out',
      path('x'),
    ]);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /outside the CA's trust domain/);
    const missing = await runCli(['mint-wic', '--ca', path('nope'), '--sub', SUB, '--out', path('x')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read CA certificate/);
    const again = await runCli(['mint-wic', '--ca', path('ca'), '--sub', SUB, '--out', path('wic')]);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /exists; pass --force/);
  });

  it('refuses a CA key that does not belong to the CA certificate', async () => {
    assert.equal((await runCli(['ca', '--trust-domain', 'example.com', '--out', path('ca2')])).code, 0);
    const mixed = path('mixed');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${mixed}.pem`, readFileSync(path('ca.pem')));
    writeFileSync(`${mixed}.key.pem`, readFileSync(path('ca2.key.pem')));
    const refused = await runCli(['mint-wic', '--ca', mixed, '--sub', SUB, '--out', path('y')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /does not belong to the CA certificate/);
  });
});

describe('inspect a WIC', () => {
  it('shows the workload and checks the chain with --ca', async () => {
    const shown = await runCli(['inspect', path('wic.pem'), '--ca', path('ca.pem')]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`workload: +${SUB}`));
    assert.match(shown.stdout, /chain check: valid/);
    assert.match(shown.stdout, /verdict: +valid WIC/);
  });
  it('exits 1 when the chain leads to another CA', async () => {
    const refused = await runCli(['inspect', path('wic.pem'), '--ca', path('ca2.pem')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /chain check: INVALID \(certificate_untrusted/);
  });
  it('decodes without checking when no CA is given', async () => {
    const shown = await runCli(['inspect', path('wic.pem')]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /chain check: not done/);
  });
});
