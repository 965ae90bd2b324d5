/**
 * The README's "From nothing to a first signed call", step by step with real processes: the
 * dev-issuer writing its trust and bearer files, keygen, POST /wit, the credential file written
 * with the README's `node -p` line, the Express example service trusting the issuer, and the
 * first `wimse-pep request`. Also what a newcomer gets wrong on the way: the JSON answer used as
 * the WIT file, and the trust file given to `inspect --jwks`.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, runSpawned, spawnCli, tempDir } from './support/run-cli.js';

const TD = 'example.com';
const CALLER = `wimse://${TD}/service/checkout`;
const dir = tempDir();
const file = (name: string) => join(dir, name);
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill();
});

/** Resolves with the first match of `pattern` in the child's standard output. */
function waitFor(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const match = pattern.exec(stdout);
      if (match) resolve(match);
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

describe('from nothing to a first signed call (README, "The calling side")', () => {
  it('dev-issuer, keygen, POST /wit, the WIT file, the first request', { timeout: 120_000 }, async () => {
    // 1. The development identity server, writing the trust and bearer configurations.
    const issuerProcess = spawnCli([
      'dev-issuer',
      '--trust-domain',
      TD,
      '--port',
      '0',
      '--key',
      file('issuer.jwk'),
      '--trust-out',
      file('trust.json'),
      '--bearer-out',
      file('bearer.json'),
    ]);
    children.push(issuerProcess);
    // The bearer configuration is the last thing it writes before serving.
    const issuerUrl = (await waitFor(issuerProcess, /listening on (http:\S+)[\s\S]*bearer token issuer/))[1] as string;
    const trust = JSON.parse(readFileSync(file('trust.json'), 'utf8'));
    const jwksUri = `${issuerUrl}/.well-known/jwks.json`;
    assert.equal(trust.trustDomains[0].issuers[0].jwksUri, jwksUri);
    const bearer = JSON.parse(readFileSync(file('bearer.json'), 'utf8'));
    assert.deepEqual(bearer.jwt.types, ['at+jwt']);

    // 2. The caller's key pair: the private JWK in checkout.jwk, the public one on standard output.
    const keygen = await runSpawned(['keygen', '--alg', 'ES256', '--out', file('checkout.jwk')]);
    assert.equal(keygen.code, 0, keygen.stderr);
    writeFileSync(file('checkout.pub.jwk'), keygen.stdout);

    // 3. POST /wit answers JSON.
    const answer = await fetch(`${issuerUrl}/wit`, {
      method: 'POST',
      body: `{"sub":"${CALLER}","jwk":${readFileSync(file('checkout.pub.jwk'), 'utf8').trim()}}`,
    });
    assert.equal(answer.status, 200);
    const answerText = await answer.text();
    assert.deepEqual(Object.keys(JSON.parse(answerText)), ['wit', 'exp']);
    writeFileSync(file('checkout.json'), answerText);

    // 4. The credential file holds the "wit" value alone, written with the README's line.
    const extract = spawn(process.execPath, ['-p', "require('./checkout.json').wit"], { cwd: dir });
    const witText = await new Promise<string>((resolve, reject) => {
      let out = '';
      extract.stdout.on('data', (chunk) => (out += chunk));
      extract.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`node -p exited with ${code}`))));
    });
    writeFileSync(file('checkout.wit'), witText);

    // 5. A service that trusts the issuer: the Express example, configured by environment.
    const port = await freePort();
    const service = spawn(
      process.execPath,
      ['--conditions=wimse-source', '--import', 'tsx', 'examples/express-service/server.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          WIMSE_TRUST_DOMAIN: TD,
          WIMSE_ISSUER: issuerUrl,
          WIMSE_JWKS_URI: jwksUri,
          WIMSE_AUDIENCE: `http://127.0.0.1:${port}`,
          PORT: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(service);
    await waitFor(service, /listening/);

    // 6. The first signed call.
    const first = await runSpawned([
      'request',
      `http://127.0.0.1:${port}/orders/42`,
      '--wit',
      file('checkout.wit'),
      '--key',
      file('checkout.jwk'),
    ]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, new RegExp(`"readBy":"${CALLER}"`));

    // What goes wrong on the way: the JSON answer as the WIT file is refused before anything is sent...
    const json = await runSpawned([
      'request',
      `http://127.0.0.1:${port}/orders/42`,
      '--wit',
      file('checkout.json'),
      '--key',
      file('checkout.jwk'),
    ]);
    assert.equal(json.code, 2, json.stderr);
    assert.match(
      json.stderr,
      /WIT file \S+checkout\.json: a WIT must be a compact JWS .* found a JSON object with members wit, exp; .*"wit" member/,
    );
    assert.doesNotMatch(json.stdout, /^Request:/m);

    // ...and the trust file is not a key set: inspect says so, and names the key set to pass.
    const wrongKeys = await runSpawned(['inspect', file('checkout.wit'), '--jwks', file('trust.json')]);
    assert.equal(wrongKeys.code, 2, wrongKeys.stdout);
    assert.match(
      wrongKeys.stderr,
      new RegExp(
        `is a trust configuration \\(trustDomains\\), not a JWK set or a JWK: pass its issuer's key set, e\\.g\\. --jwks ${jwksUri}`,
      ),
    );
    assert.equal(wrongKeys.stdout, '', 'refused before anything is printed');
    const rightKeys = await runSpawned(['inspect', file('checkout.wit'), '--jwks', jwksUri]);
    assert.equal(rightKeys.code, 0, rightKeys.stderr);
    assert.match(rightKeys.stdout, /^verdict: {3}valid WIT$/m);
  });
});
