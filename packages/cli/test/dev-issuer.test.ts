import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createVerifier } from '@wimse-pep/core';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { type DevIssuer, startDevIssuer } from '../src/index.js';
import { postJson } from './support/post-json.js';
import { runCli, spawnCli, tempDir } from './support/run-cli.js';

const TD = 'dev.example';
const workload = generateKeyPairSync('ed25519');
const workloadJwk = { ...workload.publicKey.export({ format: 'jwk' }), alg: 'EdDSA' };
let issuer: DevIssuer;

before(async () => {
  issuer = await startDevIssuer({ trustDomain: TD, witLifetimeSec: 900 });
});
after(() => issuer.close());

const post = (body: unknown, path = '/wit', method = 'POST') => postJson(`${issuer.url}${path}`, body, method);

describe('startDevIssuer: a development identity server', () => {
  it('listens on 127.0.0.1 and serves its key set on /.well-known/jwks.json and /jwks', async () => {
    assert.match(issuer.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ['/.well-known/jwks.json', '/jwks']) {
      const response = await fetch(`${issuer.url}${path}`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), issuer.jwks);
    }
    const key = issuer.jwks.keys[0];
    assert.equal(key?.alg, 'ES256');
    assert.equal(key?.d, undefined);
    assert.equal(typeof key?.kid, 'string');
  });

  it('POST /wit issues a WIT that the core trusts through the published trust entry', async () => {
    const { status, json } = await post({ sub: `wimse://${TD}/service/checkout`, jwk: workloadJwk });
    assert.equal(status, 200, JSON.stringify(json));
    const wit = json.wit as string;
    const { payload, protectedHeader } = await jwtVerify(wit, createLocalJWKSet(issuer.jwks), { typ: 'wit+jwt' });
    assert.equal(payload.sub, `wimse://${TD}/service/checkout`);
    assert.equal(payload.iss, issuer.issuer);
    assert.equal((payload.exp as number) - (payload.iat as number), 900);
    assert.equal(json.exp, payload.exp);
    assert.equal(protectedHeader.kid, issuer.jwks.keys[0]?.kid);
    assert.deepEqual((payload.cnf as { jwk: unknown }).jwk, workloadJwk);
    // The trust entry is valid VerifierOptions for the core (jwksUri on loopback).
    assert.doesNotThrow(() => createVerifier({ trustDomains: [issuer.trust], audiences: ['https://svc.example'] }));
    const short = decodeJwt((await post({ sub: `wimse://${TD}/a`, jwk: workloadJwk, ttl: 60 })).json.wit as string);
    assert.equal((short.exp as number) - (short.iat as number), 60, 'a shorter lifetime may be asked for');
  });

  it('refuses bad requests with 400 and a reason', async () => {
    const privateJwk = workload.privateKey.export({ format: 'jwk' });
    const cases: [unknown, RegExp][] = [
      ['not json', /not JSON/],
      [{ jwk: workloadJwk }, /sub is required/],
      [{ sub: 'wimse://other.example/x', jwk: workloadJwk }, /trust domain dev\.example/],
      [{ sub: `wimse://${TD}/a/../b`, jwk: workloadJwk }, /dot segment/],
      [{ sub: `WIMSE://${TD}/a`, jwk: workloadJwk }, /sub:/],
      [{ sub: `wimse://${TD}/a` }, /jwk must be a JSON object/],
      [{ sub: `wimse://${TD}/a`, jwk: { ...privateJwk, alg: 'EdDSA' } }, /public key/],
      [{ sub: `wimse://${TD}/a`, jwk: { ...workloadJwk, alg: undefined } }, /cnf.jwk.alg is missing/],
      [{ sub: `wimse://${TD}/a`, jwk: { ...workloadJwk, alg: 'ES256' } }, /does not fit/],
      [{ sub: `wimse://${TD}/a`, jwk: { ...workloadJwk, alg: 'HS256' } }, /not an asymmetric/],
      [{ sub: `wimse://${TD}/a`, jwk: workloadJwk, ttl: 901 }, /ttl/],
    ];
    for (const [body, reason] of cases) {
      const { status, json } = await post(body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.match(String(json.detail), reason, JSON.stringify(body));
    }
    assert.equal((await post({}, '/wit', 'PUT')).status, 405);
    assert.equal((await post({}, '/nothing')).status, 404);
  });

  it('creates its key in a file, and loads the same key from it next time', async () => {
    const file = join(tempDir(), 'issuer.jwk');
    const first = await startDevIssuer({ trustDomain: TD, key: file, alg: 'EdDSA' });
    await first.close();
    assert.ok(existsSync(file));
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { crv: string }).crv, 'Ed25519');
    const second = await startDevIssuer({ trustDomain: TD, key: file });
    await second.close();
    assert.deepEqual(second.jwks, first.jwks);
  });

  it('refuses an invalid trust domain', async () => {
    await assert.rejects(startDevIssuer({ trustDomain: 'Bad_Domain.' }), TypeError);
  });
});

describe('wimse-pep dev-issuer', () => {
  it('runs in-process until stopped, writing the trust configuration', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    let output = '';
    const { main } = await import('../src/index.js');
    const running = main(['dev-issuer', '--trust-domain', TD, '--trust-out', join(dir, 'trust.json')], {
      stdout: { write: (text: string) => (output += text) },
      stderr: { write: () => true },
      signal: controller.signal,
    });
    while (!output.includes('listening on')) await new Promise((resolve) => setTimeout(resolve, 10));
    const url = /listening on (\S+)/.exec(output)?.[1] as string;
    const trust = JSON.parse(readFileSync(join(dir, 'trust.json'), 'utf8')) as {
      trustDomains: { issuers: { jwksUri: string }[] }[];
    };
    assert.equal(trust.trustDomains[0]?.issuers[0]?.jwksUri, `${url}/.well-known/jwks.json`);
    const response = await fetch(`${url}/wit`, {
      method: 'POST',
      body: JSON.stringify({ sub: `wimse://${TD}/x`, jwk: workloadJwk }),
    });
    assert.equal(response.status, 200);
    controller.abort();
    assert.equal(await running, 0);
    assert.match(output, /issued a WIT for wimse:\/\/dev\.example\/x/);
    assert.match(output, /stopped/);
  });

  it('runs as a process: banner, listening line, JWKS served, stops on SIGTERM with exit 0', {
    timeout: 30_000,
  }, async () => {
    const child = spawnCli(['dev-issuer', '--trust-domain', TD, '--port', '0']);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const match = /listening on (\S+)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    assert.match(stderr, /NOT FOR PRODUCTION/);
    assert.match(url, /^http:\/\/127\.0\.0\.1:/);
    const jwks = await (await fetch(`${url}/.well-known/jwks.json`)).json();
    assert.equal((jwks as { keys: unknown[] }).keys.length, 1);

    const inspected = await runCli([
      'inspect',
      (
        (await (
          await fetch(`${url}/wit`, {
            method: 'POST',
            body: JSON.stringify({ sub: `wimse://${TD}/y`, jwk: workloadJwk }),
          })
        ).json()) as { wit: string }
      ).wit,
      '--jwks',
      `${url}/.well-known/jwks.json`,
    ]);
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.match(inspected.stdout, /signature: valid/);

    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('a port in use is a usage error', async () => {
    const result = await runCli(['dev-issuer', '--trust-domain', TD, '--port', new URL(issuer.url).port]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /in use/);
  });
});

describe('startDevIssuer: Workload Identity Certificates', () => {
  it('POST /wic issues a certificate and key that a verifier trusts through the published trust entry', async () => {
    const { status, json } = await post({ sub: `wimse://${TD}/service/a`, ttl: 600 }, '/wic');
    assert.equal(status, 200);
    assert.match(String(json.privateKeyPem), /-----BEGIN PRIVATE KEY-----/);
    const verifier = createVerifier({ trustDomains: [issuer.trust], audiences: ['https://svc.example'] });
    const chain = String(json.chainPem).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const identity = await verifier.verifyClientCertificate({
      method: 'GET',
      target: '/',
      headers: {},
      transport: { peerCertificates: chain.map((pem) => new X509Certificate(pem).raw) },
    });
    assert.equal(identity?.id, `wimse://${TD}/service/a`);
    assert.equal(identity?.proof, 'mtls');
  });
  it('refuses a workload of another trust domain, a non-canonical one, and a ttl over the limit', async () => {
    for (const body of [
      { sub: 'wimse://other.example/a' },
      { sub: `wimse://${TD}/a/../b` },
      { sub: `wimse://${TD}/a`, ttl: 901 },
    ]) {
      const { status, json } = await post(body, '/wic');
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(json.error, 'invalid_request');
    }
  });
});
