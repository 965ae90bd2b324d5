import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DevIssuer, startDevIssuer } from '../src/index.js';
import { es256KeyPair } from './support/es256-key-pair.js';
import { runCli, runSpawned, tempDir } from './support/run-cli.js';
import { type SignedService, startSignedService } from './support/signed-service.js';

const TD = 'cli.example';
const CALLER = `wimse://${TD}/service/checkout`;
const SERVER = `wimse://${TD}/service/orders`;
const dir = tempDir();
const file = (name: string) => join(dir, name);
let issuer: DevIssuer;
let service: SignedService;

before(async () => {
  issuer = await startDevIssuer({ trustDomain: TD });
  const caller = es256KeyPair();
  writeFileSync(file('caller.wit'), (await issuer.issue({ sub: CALLER, jwk: caller.jwk })).wit);
  writeFileSync(file('caller.jwk'), JSON.stringify(caller.pair.privateKey.export({ format: 'jwk' })));
  writeFileSync(file('caller.pem'), caller.pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(file('other.jwk'), JSON.stringify(es256KeyPair().pair.privateKey.export({ format: 'jwk' })));
  writeFileSync(file('trust.json'), JSON.stringify({ trustDomains: [issuer.trust] }));
  const server = es256KeyPair();
  const serverWit = (await issuer.issue({ sub: SERVER, jwk: server.jwk })).wit;
  service = await startSignedService([issuer.trust], { wit: serverWit, privateKey: server.pair.privateKey });
});
after(async () => {
  await service.close();
  await issuer.close();
});

const credentials = () => ['--wit', file('caller.wit'), '--key', file('caller.jwk')];
/** Asks for a signed response from a workload of the trust configuration. */
const signedResponse = () => ['--require-signed-response', '--trust', file('trust.json')];

describe('wimse-pep request: a signed request, curl-like', () => {
  it('POST with a body and a verified signed response: prints the exchange, exit 0', async () => {
    service.sign = true;
    const result = await runCli([
      'request',
      `${service.origin}/orders?priority=high`,
      ...credentials(),
      '-d',
      '{"item":"cone"}',
      '-H',
      'content-type: application/json',
      ...signedResponse(),
      '--expect-id',
      SERVER,
    ]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const out = result.stdout;
    assert.match(out, /^WIT header and payload:\n\{\n {2}"alg": "ES256"/);
    assert.match(out, /"typ": "wit\+jwt"/);
    assert.match(out, new RegExp(`"sub": "${CALLER}"`));
    assert.match(out, /^Request:\nPOST \/orders\?priority=high HTTP\/1\.1\nHost: 127\.0\.0\.1:\d+$/m);
    assert.match(out, /^Workload-Identity-Token: ey/m);
    assert.match(out, /^Content-Digest: sha-256=:/m);
    assert.match(
      out,
      /^Signature-Input: sig1=\("@method" "@path" "@query" "content-type" "content-digest" "workload-identity-token"\);created=\d+;expires=\d+;nonce="[^"]+";tag="wimse-workload-to-workload";wimse-aud="http:\/\/127\.0\.0\.1:\d+\/orders";wimse-sign-response$/m,
    );
    assert.match(out, /^Response:\nHTTP\/1\.1 200 OK$/m);
    assert.match(out, new RegExp(`"hello":"${CALLER}"`));
    assert.match(out, new RegExp(`^Verified signed response from ${SERVER} `, 'm'));
  });

  it('a GET with a PEM key and an inline WIT, without requiring a signed response', async () => {
    const wit = (await import('node:fs')).readFileSync(file('caller.wit'), 'utf8');
    const result = await runCli(['request', `${service.origin}/ping`, '--wit', wit, '--key', file('caller.pem')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^GET \/ping HTTP\/1\.1$/m);
    assert.doesNotMatch(result.stdout, /wimse-sign-response/);
  });

  it('-s prints the body only', async () => {
    const result = await runCli(['request', `${service.origin}/ping`, ...credentials(), '-s']);
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout), { hello: CALLER, received: '' });
  });

  it('an unsigned response when one is required: exit 1, shown as NOT VERIFIED', async () => {
    service.sign = false;
    try {
      const result = await runCli(['request', `${service.origin}/orders`, ...credentials(), ...signedResponse()]);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /^Response \(NOT VERIFIED\):/m);
      assert.match(result.stderr, /signature_missing/);
    } finally {
      service.sign = true;
    }
  });

  it('an unexpected responder (R6): exit 1', async () => {
    const result = await runCli([
      'request',
      `${service.origin}/orders`,
      ...credentials(),
      ...signedResponse(),
      '--expect-id',
      `wimse://${TD}/service/payments`,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unexpected_responder/);
  });

  it('a refused request (the server answers 400): exit 1 with the problem code', async () => {
    const result = await runCli([
      'request',
      `${service.origin}/orders`,
      ...credentials(),
      '--audience',
      'https://elsewhere.example/orders',
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /HTTP\/1\.1 400 Bad Request/);
    assert.match(result.stderr, /the server answered 400 audience_mismatch/);
  });

  it('an unreachable server: exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runCli(['request', `http://127.0.0.1:${port}/x`, ...credentials()]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /failed: ECONNREFUSED/);
  });

  it('wrong input: exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['request', `${service.origin}/x`, '--wit', file('caller.wit')], /--key is required/],
      [['request', `${service.origin}/x`, ...credentials(), '--require-signed-response'], /needs --trust/],
      [['request', `${service.origin}/x`, ...credentials(), '--trust', file('trust.json')], /used with --require/],
      [['request', `${service.origin}/x`, '--wit', file('caller.wit'), '--key', file('other.jwk')], /mismatched pair/],
      [['request', `${service.origin}/x`, '--wit', file('absent.wit'), '--key', file('caller.jwk')], /no such file/],
      [['request', `${service.origin}/x`, ...credentials(), '-H', 'no colon'], /name: value/],
      [['request', `${service.origin}/x`, ...credentials(), '-X', 'GET', '-d', 'x'], /cannot have a body/],
      [['request', `${service.origin}/x`, ...credentials(), '--profile', 'http-sig-99'], /--profile must be one of/],
      [['request', `${service.origin}/x`, ...credentials(), '-d', '@/nonexistent/body'], /cannot read the file/],
      [
        [
          'request',
          `${service.origin}/x`,
          ...credentials(),
          '--require-signed-response',
          '--trust',
          file('caller.jwk'),
        ],
        /--trust/,
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv);
      assert.equal(result.code, 2, `${argv.join(' ')}\n${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });

  it('end to end in a spawned process', { timeout: 30_000 }, async () => {
    const result = await runSpawned([
      'request',
      `${service.origin}/orders`,
      ...credentials(),
      '-X',
      'PUT',
      '-d',
      'hello',
      ...signedResponse(),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^PUT \/orders HTTP\/1\.1$/m);
    assert.match(result.stdout, new RegExp(`Verified signed response from ${SERVER}`));
  });
});

describe('wimse-pep request: what it prints, and what it refuses', () => {
  it('shortens the WIT and the signatures by default; --show-secrets prints them whole', async () => {
    const wit = readFileSync(file('caller.wit'), 'utf8').trim();
    const argv = ['request', `${service.origin}/orders`, ...credentials(), ...signedResponse()];
    const shortened = await runCli(argv);
    assert.equal(shortened.code, 0, shortened.stderr);
    const fields = (name: string) =>
      [...shortened.stdout.matchAll(new RegExp(`^${name}: (.*)$`, 'gm'))].map((match) => match[1] as string);
    // The request's and the signed response's.
    assert.equal(fields('Workload-Identity-Token').length, 2);
    assert.equal(fields('Signature').length, 2);
    for (const value of [...fields('Workload-Identity-Token'), ...fields('Signature')]) {
      assert.match(value, /^\S{12}… \(\d+ characters, sha-256 [0-9a-f]{12}…\)$/);
    }
    assert.equal(
      fields('Workload-Identity-Token')[0],
      `${wit.slice(0, 12)}… (${wit.length} characters, sha-256 ${(await import('node:crypto'))
        .createHash('sha256')
        .update(wit)
        .digest('hex')
        .slice(0, 12)}…)`,
    );
    assert.ok(!shortened.stdout.includes(wit), 'the WIT is not printed');
    assert.ok(!shortened.stdout.includes(wit.split('.')[2] as string), 'nor its signature part');
    assert.match(shortened.stdout, /^Signature-Input: sig1=\(/m, 'Signature-Input stays whole');

    const whole = await runCli([...argv, '--show-secrets']);
    assert.equal(whole.code, 0, whole.stderr);
    assert.ok(whole.stdout.includes(`Workload-Identity-Token: ${wit}\n`), 'the WIT, whole');
    assert.match(whole.stdout, /^Signature: sig1=:[A-Za-z0-9+/]+=*:$/m);
    assert.match(
      (await runCli(['request', '--help'])).stdout,
      /^ {2}--show-secrets {2,}print the WIT and the signatures whole/m,
    );
  });

  it('--lifetime is capped at what a default verifier accepts: 360 s, 300 s for a WPT', async () => {
    const accepted = await runCli(['request', `${service.origin}/orders`, ...credentials(), '--lifetime', '360']);
    assert.equal(accepted.code, 0, accepted.stderr);
    const cases: [string[], RegExp][] = [
      [
        ['--lifetime', '361'],
        /--lifetime must be at most 360: a verifier with default options refuses a longer signature \(maxSignatureLifetimeSec\)/,
      ],
      [['--lifetime', '3600'], /--lifetime must be at most 360/],
      [
        ['--proof', 'wpt', '--lifetime', '301'],
        /--lifetime must be at most 300: .* a longer WPT \(wpt\.maxLifetimeSec\)/,
      ],
    ];
    for (const [extra, message] of cases) {
      const result = await runCli(['request', `${service.origin}/orders`, ...credentials(), ...extra]);
      assert.equal(result.code, 2, `${extra.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stdout, /^Request:/m, 'nothing was sent');
    }
  });

  it("a server's problem code with CR/LF stays out of the error message", async () => {
    const hostile = createHttpServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ code: 'bad_request\r\nwimse-pep: all good' }));
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const port = (hostile.address() as AddressInfo).port;
      const result = await runCli(['request', `http://127.0.0.1:${port}/x`, ...credentials()]);
      assert.equal(result.code, 1);
      const message = result.stderr.split('\n').find((line) => line.includes('the server answered'));
      assert.equal(message, 'wimse-pep request: the server answered 400');
      assert.doesNotMatch(result.stderr, /all good|\r/);
    } finally {
      hostile.closeAllConnections();
      await new Promise((resolve) => hostile.close(resolve));
    }
  });
});
