import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { signRequest } from '@wimse-pep/client';
import { generateTestKey, mintWit } from '../support/index.js';

const root = new URL('../../', import.meta.url).pathname;
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill();
});

function run(script: string, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=wimse-source', '--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

function output(child: ChildProcess): Promise<{ code: number | null; stdout: string }> {
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
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

async function waitForListening(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the example exited with ${code}`)));
  });
}

describe('the README core example (examples/core-verify.ts)', () => {
  it('accepts the signed request and refuses the tampered, replayed and forged ones', { timeout: 30_000 }, async () => {
    const { code, stdout } = await output(run('examples/core-verify.ts'));
    assert.equal(code, 0, stdout);
    assert.match(stdout, /signed request\s+ACCEPTED\s+wimse:\/\/example\.com\/service\/checkout/);
    assert.match(stdout, /body tampered in transit\s+REFUSED\s+400 digest_mismatch/);
    assert.match(stdout, /the same request replayed\s+REFUSED\s+400 replay/);
    assert.match(stdout, /WIT forged with another key\s+REFUSED\s+400 wit_invalid/);
  });
});

describe('the example services', () => {
  const issuer = generateTestKey('ES256', 'example-issuer');
  const workload = generateTestKey('EdDSA');
  const directory = mkdtempSync(join(tmpdir(), 'wimse-examples-'));
  const jwksFile = join(directory, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [issuer.publicJwk] }));
  const audience = 'https://orders.example.com';
  const caller = 'wimse://example.com/service/checkout';

  const services = [
    { name: 'express', script: 'examples/express-service/server.ts', write: '/refunds', writersVar: 'WIMSE_REFUNDERS' },
    { name: 'fastify', script: 'examples/fastify-service/server.ts', write: '/orders', writersVar: 'WIMSE_WRITERS' },
    { name: 'koa', script: 'examples/koa-service/server.ts', write: '/orders', writersVar: 'WIMSE_WRITERS' },
  ];
  for (const service of services) {
    it(`${service.name}: a signed read is allowed, a write by a workload not listed is 403, no credentials is 401`, {
      timeout: 30_000,
    }, async () => {
      const port = await freePort();
      const child = run(service.script, {
        PORT: String(port),
        WIMSE_JWKS_FILE: jwksFile,
        WIMSE_TRUST_DOMAIN: 'example.com',
        WIMSE_ISSUER: 'https://issuer.example.com',
        WIMSE_AUDIENCE: audience,
        [service.writersVar]: 'wimse://example.com/service/billing',
      });
      await waitForListening(child);
      const nowSec = Math.floor(Date.now() / 1000);
      const wit = await mintWit({
        issuerKey: issuer,
        kid: 'example-issuer',
        sub: caller,
        cnfJwk: workload.publicJwk,
        iat: nowSec,
        exp: nowSec + 600,
        iss: 'https://issuer.example.com',
      });
      const call = async (method: string, path: string, body?: string) => {
        const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
        const signed = await signRequest(
          { method, url: `${audience}${path}`, headers, body },
          { wit, privateKey: workload.privateKey },
        );
        return fetch(`http://127.0.0.1:${port}${path}`, { method, headers: signed.headers, body: signed.body });
      };
      const read = await call('GET', '/orders/7');
      assert.equal(read.status, 200, await read.clone().text());
      assert.equal(((await read.json()) as { readBy?: string }).readBy, caller);
      const write = await call('POST', service.write, '{"amount":5}');
      assert.equal(write.status, 403);
      assert.equal(((await write.json()) as { code?: string }).code, 'policy_denied');
      const anonymous = await fetch(`http://127.0.0.1:${port}/orders/7`);
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers.get('www-authenticate'), 'WPT');
      assert.equal(((await anonymous.json()) as { code?: string }).code, 'credentials_missing');
      child.kill();
    });
  }
});
