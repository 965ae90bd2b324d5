import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createWorkloadProofToken, resolveSigningKey, tokenHash } from '@wimse-pep/core/signing';
import { decodeJwt } from 'jose';
import { type DevIssuer, startDevIssuer } from '../src/index.js';
import { runCli, tempDir } from './support/run-cli.js';
import { type SignedService, startSignedService } from './support/signed-service.js';

const TD = 'cli.example';
const CALLER = `wimse://${TD}/service/checkout`;
const dir = tempDir();
const file = (name: string) => join(dir, name);
let issuer: DevIssuer;
let service: SignedService;
const callerPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function witFor(pair: typeof callerPair, sub: string): Promise<string> {
  return (await issuer.issue({ sub, jwk: { ...pair.publicKey.export({ format: 'jwk' }), alg: 'ES256' } })).wit;
}

before(async () => {
  issuer = await startDevIssuer({ trustDomain: TD });
  writeFileSync(file('caller.wit'), await witFor(callerPair, CALLER));
  writeFileSync(file('caller.jwk'), JSON.stringify(callerPair.privateKey.export({ format: 'jwk' })));
  writeFileSync(file('other.wit'), await witFor(otherPair, `wimse://${TD}/service/other`));
  writeFileSync(file('trust.json'), JSON.stringify({ trustDomains: [issuer.trust] }));
  const serverPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  service = await startSignedService([issuer.trust], {
    wit: await witFor(serverPair, `wimse://${TD}/service/orders`),
    privateKey: serverPair.privateKey,
  });
});
after(async () => {
  await service.close();
  await issuer.close();
});

const credentials = () => ['--wit', file('caller.wit'), '--key', file('caller.jwk')];

describe('wimse-pep request --proof wpt', () => {
  it('sends a WPT the service verifies: Authorization: WPT (not shown), no signature, exit 0', async () => {
    const result = await runCli(['request', `${service.origin}/orders?x=1`, ...credentials(), '--proof', 'wpt']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const out = result.stdout;
    assert.match(out, /^Workload Proof Token: jti [A-Za-z0-9_-]{22} \(the token itself is not shown\)$/m);
    assert.match(out, /^Authorization: WPT \[redacted\]$/m);
    assert.match(out, /^Workload-Identity-Token: ey/m);
    assert.doesNotMatch(out, /^Signature(-Input)?:/m);
    assert.doesNotMatch(out, /WPT ey/);
    assert.match(out, /^Response:\nHTTP\/1\.1 200 OK$/m);
    assert.match(out, new RegExp(`"hello":"${CALLER}"`));
  });

  it('the default proof is still an HTTP signature', async () => {
    const result = await runCli(['request', `${service.origin}/orders`, ...credentials()]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Signature-Input: sig1=/m);
    assert.doesNotMatch(result.stdout, /Authorization: WPT/);
  });

  it('a WPT for another audience is refused by the service: exit 1 with its code', async () => {
    const result = await runCli([
      'request',
      `${service.origin}/orders`,
      ...credentials(),
      '--proof',
      'wpt',
      '--audience',
      'https://elsewhere.example/orders',
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /the server answered 401 wpt_audience_mismatch/);
  });

  it('combinations the client refuses are usage errors (exit 2), nothing sent', async () => {
    const url = `${service.origin}/orders`;
    const cases: [string[], RegExp][] = [
      [['request', url, ...credentials(), '--proof', 'dpop'], /--proof must be http-signature or wpt/],
      [
        ['request', url, ...credentials(), '--proof', 'wpt', '--bearer', 'abc'],
        /--bearer cannot be used with --proof wpt/,
      ],
      [['request', url, '--bearer', 'abc', '--proof', 'wpt'], /--bearer cannot be used with --proof wpt/],
      [
        [
          'request',
          url,
          ...credentials(),
          '--proof',
          'wpt',
          '--require-signed-response',
          '--trust',
          file('trust.json'),
        ],
        /--require-signed-response cannot be used with --proof wpt/,
      ],
      [['request', url, ...credentials(), '--proof', 'wpt', '--profile', 'http-sig-07'], /--profile cannot be used/],
      [['request', url, '--proof', 'wpt', '--key', file('caller.jwk')], /--wit is required/],
      [['request', url, ...credentials(), '--proof', 'wpt', '-H', 'authorization: Bearer x'], /authorization/],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv);
      assert.equal(result.code, 2, `${argv.join(' ')}\n${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stdout, /^Response/m);
    }
  });
});

describe('wimse-pep inspect <wpt>', () => {
  async function proof(wit: string, privateKey = callerPair.privateKey): Promise<string> {
    return createWorkloadProofToken(resolveSigningKey({ wit, privateKey }), {
      audience: 'https://orders.example/orders',
      txnToken: 'txn.token.value',
      otherTokens: { 'x-context': 'context-token' },
    });
  }

  it('decodes header, claims, aud, exp, jti, wth, tth and oth', async () => {
    const wit = readFileSync(file('caller.wit'), 'utf8');
    const wpt = await proof(wit);
    const result = await runCli(['inspect', wpt]);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /"typ": "wpt\+jwt"/);
    assert.match(out, /^aud: +https:\/\/orders\.example\/orders$/m);
    assert.match(out, /^expires: +\S+ \(in (?:\d+s|1m)\)$/m);
    assert.match(out, new RegExp(`^jti: +${String(decodeJwt(wpt).jti)}$`, 'm'));
    assert.match(out, new RegExp(`^wth: +${tokenHash(wit)}$`, 'm'));
    assert.match(out, new RegExp(`^tth: +${tokenHash('txn.token.value')} `, 'm'));
    assert.match(out, new RegExp(`^oth: +x-context ${tokenHash('context-token')}$`, 'm'));
    assert.match(out, /^wth check: not done/m);
  });

  it('--wit: exit 0 when wth is that WIT and its key signed; 1 for another WIT or another signer', async () => {
    const wit = readFileSync(file('caller.wit'), 'utf8');
    writeFileSync(file('proof.wpt'), await proof(wit));
    const bound = await runCli(['inspect', file('proof.wpt'), '--wit', file('caller.wit')]);
    assert.equal(bound.code, 0, bound.stderr);
    assert.match(bound.stdout, /^wth check: matches the WIT in /m);
    assert.match(bound.stdout, /^signature: valid \(ES256, the key bound in the WIT\)$/m);

    const otherWit = await runCli(['inspect', file('proof.wpt'), '--wit', file('other.wit')]);
    assert.equal(otherWit.code, 1);
    assert.match(otherWit.stdout, /^wth check: DOES NOT MATCH/m);
    assert.match(otherWit.stderr, /wth is not the hash of that WIT/);

    // wth names the caller's WIT, but another key signed: not a proof of possession of that WIT.
    const forged = await proof(wit, otherPair.privateKey);
    const wrongSigner = await runCli(['inspect', forged, '--wit', file('caller.wit')]);
    assert.equal(wrongSigner.code, 1);
    assert.match(wrongSigner.stdout, /^wth check: matches/m);
    assert.match(wrongSigner.stdout, /^signature: INVALID/m);
  });

  it('--wit with a WIT, or --jwks with a WPT, is a usage error', async () => {
    const wit = readFileSync(file('caller.wit'), 'utf8');
    const onWit = await runCli(['inspect', file('caller.wit'), '--wit', file('caller.wit')]);
    assert.equal(onWit.code, 2);
    assert.match(onWit.stderr, /--wit is used to inspect a WPT/);
    const onWpt = await runCli(['inspect', await proof(wit), '--jwks', file('trust.json')]);
    assert.equal(onWpt.code, 2);
    assert.match(onWpt.stderr, /a WPT is checked with --wit/);
    const unreadable = await runCli(['inspect', await proof(wit), '--wit', file('absent.wit')]);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /cannot read the file/);
  });
});
