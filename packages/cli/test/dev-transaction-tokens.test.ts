/**
 * The development Transaction Token Service of `startDevIssuer`: `POST /txn-token` mints what the
 * core's Txn-Token verifier accepts with the published `transactionTokens` entry, with a key of its
 * own (never the WIT key), and refuses bad requests with a reason.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTransactionTokenVerifier } from '@wimse-pep/core';
import { tokenHash } from '@wimse-pep/core/signing';
import { decodeProtectedHeader } from 'jose';
import { type DevIssuer, startDevIssuer } from '../src/index.js';
import { postJson } from './support/post-json.js';
import { spawnCli, tempDir } from './support/run-cli.js';

const TD = 'dev.example';
let issuer: DevIssuer;

before(async () => {
  issuer = await startDevIssuer({ trustDomain: TD, txnTokenLifetimeSec: 120 });
});
after(() => issuer.close());

const request = { sub: 'user:alice', scope: 'orders:read orders:write', req_wl: `wimse://${TD}/service/gateway` };

describe('startDevIssuer: a development Transaction Token Service', () => {
  it('POST /txn-token mints a token the core verifies with the published transactionTokens entry', async () => {
    const { status, json } = await postJson(`${issuer.url}/txn-token`, {
      ...request,
      tctx: { action: 'refund' },
      rctx: { req_ip: '192.0.2.1' },
    });
    assert.equal(status, 200, JSON.stringify(json));
    const token = json.txn_token as string;
    assert.equal(decodeProtectedHeader(token).typ, 'txntoken+jwt');
    const verifier = createTransactionTokenVerifier(issuer.transactionTokens);
    const context = await verifier.verify(token, `wimse://${TD}/service/gateway`);
    assert.equal(context.txn, json.txn);
    assert.equal(context.expiresAt, json.exp);
    assert.equal(context.expiresAt - context.issuedAt, 120);
    assert.deepEqual(
      [context.sub, context.scopes, context.requestingWorkload, context.tctx, context.rctx, context.issuer],
      [
        'user:alice',
        ['orders:read', 'orders:write'],
        request.req_wl,
        { action: 'refund' },
        { req_ip: '192.0.2.1' },
        issuer.issuer,
      ],
    );
    assert.equal(context.tokenHash, tokenHash(token));
    assert.deepEqual(issuer.transactionTokens, {
      audience: TD,
      jwksUri: `${issuer.url}/txn/jwks.json`,
      issuer: issuer.issuer,
    });
  });

  it('signs with a key of its own: the WIT key set does not verify its tokens, nor its key set WITs', async () => {
    const served = (await (await fetch(`${issuer.url}/txn/jwks.json`)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    assert.equal(served.keys.length, 1);
    assert.equal(served.keys[0]?.d, undefined);
    assert.notEqual(served.keys[0]?.kid, issuer.jwks.keys[0]?.kid);
    const { json } = await postJson(`${issuer.url}/txn-token`, request);
    const withWitKeys = createTransactionTokenVerifier({ audience: TD, jwks: issuer.jwks });
    await assert.rejects(withWitKeys.verify(json.txn_token as string, 'x'), { code: 'txn_token_unknown_key' });
  });

  it('the same transaction may be asked for again (a new token for an existing txn)', async () => {
    const { json } = await postJson(`${issuer.url}/txn-token`, { ...request, txn: 'txn-fixed-1', ttl: 30 });
    assert.equal(json.txn, 'txn-fixed-1');
  });

  it('refuses bad requests with 400 and a reason', async () => {
    const cases: [unknown, RegExp][] = [
      ['not json', /not JSON/],
      [{ ...request, sub: '' }, /sub is required/],
      [{ ...request, req_wl: undefined }, /req_wl is required/],
      [{ ...request, scope: 'a  b' }, /scope is required/],
      [{ ...request, scope: undefined }, /scope is required/],
      [{ ...request, tctx: ['x'] }, /tctx must be a JSON object/],
      [{ ...request, rctx: 'ip' }, /rctx must be a JSON object/],
      [{ ...request, ttl: 121 }, /ttl must be an integer from 1 to 120/],
      [{ ...request, txn: 7 }, /txn must be a non-empty string/],
    ];
    for (const [body, message] of cases) {
      const { status, json } = await postJson(`${issuer.url}/txn-token`, body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.match(String(json.detail), message);
    }
    assert.equal((await fetch(`${issuer.url}/txn-token`)).status, 405);
    assert.equal((await postJson(`${issuer.url}/txn/jwks.json`, {})).status, 405);
  });

  it('wimse-pep dev-issuer --txn-out writes the transactionTokens option', { timeout: 30_000 }, async () => {
    const out = join(tempDir(), 'txn.json');
    const child = spawnCli(['dev-issuer', '--trust-domain', TD, '--port', '0', '--txn-out', out, '--txn-ttl', '60']);
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (/Transaction Token Service, the transactionTokens option[^\n]*\n\{.*\}\n/.test(stdout)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const url = /listening on (\S+)/.exec(stdout)?.[1] as string;
    const written = JSON.parse(readFileSync(out, 'utf8')) as { audience: string; jwksUri: string };
    assert.deepEqual(written, { audience: TD, jwksUri: `${url}/txn/jwks.json`, issuer: url });
    const { json } = await postJson(`${url}/txn-token`, request);
    const context = await createTransactionTokenVerifier(written).verify(json.txn_token as string, 'x');
    assert.equal(context.expiresAt - context.issuedAt, 60);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
