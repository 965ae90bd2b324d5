import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, importJWK, jwtVerify } from 'jose';
import { type DevIssuer, startDevIssuer } from '../src/index.js';
import { es256KeyPair } from './support/es256-key-pair.js';
import { postJson } from './support/post-json.js';
import { runCli, tempDir } from './support/run-cli.js';
import { type SignedService, startSignedService } from './support/signed-service.js';

const TD = 'legacy.example';
const CALLER = `wimse://${TD}/service/checkout`;
const SERVER = `wimse://${TD}/service/orders`;
const dir = tempDir();
const file = (name: string) => join(dir, name);
let issuer: DevIssuer;
let service: SignedService;

before(async () => {
  issuer = await startDevIssuer({ trustDomain: TD, bearerLifetimeSec: 900 });
  const caller = es256KeyPair();
  writeFileSync(file('caller.wit'), (await issuer.issue({ sub: CALLER, jwk: caller.jwk })).wit);
  writeFileSync(file('caller.jwk'), JSON.stringify(caller.pair.privateKey.export({ format: 'jwk' })));
  const server = es256KeyPair();
  const serverWit = (await issuer.issue({ sub: SERVER, jwk: server.jwk })).wit;
  service = await startSignedService(
    [issuer.trust],
    { wit: serverWit, privateKey: server.pair.privateKey },
    { issuer: issuer.issuer, jwks: issuer.jwks },
  );
  const token = (await issuer.issueBearer({ sub: CALLER, aud: service.origin })).access_token;
  writeFileSync(file('caller.token'), `${token}\n`);
  const issuerKey = es256KeyPair().pair.privateKey;
  writeFileSync(file('issuer.jwk'), JSON.stringify({ ...issuerKey.export({ format: 'jwk' }), kid: 'legacy-1' }));
  writeFileSync(file('issuer.pub.jwk'), JSON.stringify(es256KeyPair().jwk));
});
after(async () => {
  await service.close();
  await issuer.close();
});

const post = (body: unknown, path = '/bearer', method = 'POST') => postJson(`${issuer.url}${path}`, body, method);

describe('dev issuer POST /bearer: bearer access tokens for callers not migrated yet', () => {
  it('issues an at+jwt that a service verifies with the published bearer issuer entry', async () => {
    const { status, json } = await post({ sub: CALLER, aud: 'https://orders.example', scope: 'orders:write' });
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.token_type, 'Bearer');
    assert.equal(json.expires_in, 900);
    const token = json.access_token as string;
    const config = issuer.bearerIssuer;
    assert.deepEqual(config, {
      jwt: {
        issuer: issuer.issuer,
        jwksUri: `${issuer.url}/.well-known/jwks.json`,
        algorithms: ['ES256'],
        types: ['at+jwt'],
      },
      origins: [`wimse://${TD}`, `spiffe://${TD}`],
    });
    // What a service does with that entry: fetch the key set and verify, requiring the type.
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(config.jwt.jwksUri)), {
      issuer: config.jwt.issuer,
      audience: 'https://orders.example',
      algorithms: [...config.jwt.algorithms],
      typ: config.jwt.types[0] as string,
    });
    assert.equal(protectedHeader.kid, issuer.jwks.keys[0]?.kid);
    assert.equal(payload.sub, CALLER);
    assert.equal(payload.client_id, CALLER);
    assert.equal(payload.scope, 'orders:write');
    assert.equal(typeof payload.jti, 'string');
    assert.equal((payload.exp as number) - (payload.iat as number), 900);
    assert.equal(json.exp, payload.exp);
    // The same key signs WITs: the type is what keeps a bearer token from passing as a WIT.
    await assert.rejects(jwtVerify(token, createRemoteJWKSet(new URL(config.jwt.jwksUri)), { typ: 'wit+jwt' }), /typ/);
    assert.equal(payload.cnf, undefined, 'a bearer token binds no key');
  });

  it('accepts several audiences and a shorter lifetime', async () => {
    const { json } = await post({ sub: CALLER, aud: ['https://a.example', 'https://b.example'], ttl: 60 });
    const claims = decodeJwt(json.access_token as string);
    assert.deepEqual(claims.aud, ['https://a.example', 'https://b.example']);
    assert.equal((claims.exp as number) - (claims.iat as number), 60);
  });

  it('refuses bad requests with 400 and a reason', async () => {
    const cases: [unknown, RegExp][] = [
      ['not json', /not JSON/],
      [{ aud: 'https://a.example' }, /sub is required/],
      [{ sub: 'wimse://other.example/x', aud: 'https://a.example' }, /trust domain legacy\.example/],
      [{ sub: `wimse://${TD}/a/../b`, aud: 'https://a.example' }, /dot segment/],
      [{ sub: CALLER }, /aud is required/],
      [{ sub: CALLER, aud: [] }, /aud is required/],
      [{ sub: CALLER, aud: ['https://a.example', 7] }, /aud is required/],
      [{ sub: CALLER, aud: 'https://a.example', ttl: 901 }, /ttl must be an integer from 1 to 900/],
      [{ sub: CALLER, aud: 'https://a.example', scope: 'a"b' }, /scope/],
    ];
    for (const [body, reason] of cases) {
      const { status, json } = await post(body);
      assert.equal(status, 400, JSON.stringify(body));
      assert.match(String(json.detail), reason, JSON.stringify(body));
    }
    assert.equal((await post({}, '/bearer', 'PUT')).status, 405);
  });

  it('the dev-issuer command prints the bearer endpoint and the bearer issuer entry', async () => {
    const controller = new AbortController();
    let output = '';
    const { main } = await import('../src/index.js');
    const bearerOut = join(dir, 'bearer.json');
    const running = main(['dev-issuer', '--trust-domain', TD, '--bearer-ttl', '120', '--bearer-out', bearerOut], {
      stdout: { write: (text: string) => (output += text) },
      stderr: { write: () => true },
      signal: controller.signal,
    });
    while (!output.includes('bearer token issuer')) await new Promise((resolve) => setTimeout(resolve, 10));
    const url = /listening on (\S+)/.exec(output)?.[1] as string;
    assert.match(output, new RegExp(`bearer: POST ${url}/bearer`));
    const entry = JSON.parse(/bearer token issuer[^\n]*\n(.*)\n/.exec(output)?.[1] ?? '{}') as {
      jwt?: { jwksUri?: string };
    };
    assert.equal(entry.jwt?.jwksUri, `${url}/.well-known/jwks.json`);
    assert.deepEqual(JSON.parse(readFileSync(bearerOut, 'utf8')), entry);
    const response = await fetch(`${url}/bearer`, {
      method: 'POST',
      body: JSON.stringify({ sub: CALLER, aud: 'https://a.example', ttl: 121 }),
    });
    assert.equal(response.status, 400, 'the --bearer-ttl cap applies');
    const ok = await fetch(`${url}/bearer`, { method: 'POST', body: JSON.stringify({ sub: CALLER, aud: 'x:y' }) });
    const token = ((await ok.json()) as { access_token: string }).access_token;
    controller.abort();
    assert.equal(await running, 0);
    assert.match(output, /issued a bearer token for wimse:\/\/legacy\.example\/service\/checkout \(aud x:y, exp \d+\)/);
    assert.ok(!output.includes(token), 'the token is never printed');
  });
});

describe('wimse-pep mint --bearer', () => {
  it('prints an at+jwt signed with the issuer key, with the RFC 9068 claims', async () => {
    const result = await runCli([
      'mint',
      '--bearer',
      '--issuer-key',
      file('issuer.jwk'),
      '--sub',
      CALLER,
      '--aud',
      'https://orders.example',
      '--aud',
      'https://billing.example',
      '--iss',
      'https://legacy-idp.example',
      '--ttl',
      '300',
      '--scope',
      'orders:read',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const token = result.stdout.trim();
    const issuerJwk = JSON.parse(readFileSync(file('issuer.jwk'), 'utf8')) as Record<string, unknown>;
    const { d: _d, ...publicJwk } = issuerJwk;
    const { payload, protectedHeader } = await jwtVerify(token, await importJWK({ ...publicJwk, alg: 'ES256' }), {
      typ: 'at+jwt',
      issuer: 'https://legacy-idp.example',
      audience: 'https://billing.example',
    });
    assert.deepEqual(protectedHeader, { alg: 'ES256', typ: 'at+jwt', kid: 'legacy-1' });
    assert.equal(payload.sub, CALLER);
    assert.equal(payload.client_id, CALLER);
    assert.deepEqual(payload.aud, ['https://orders.example', 'https://billing.example']);
    assert.equal(payload.scope, 'orders:read');
    assert.equal((payload.exp as number) - (payload.iat as number), 300);
  });

  it('refuses what a bearer token cannot have, and bearer options without --bearer (exit 2)', async () => {
    const base = ['mint', '--issuer-key', file('issuer.jwk'), '--sub', CALLER];
    const aud = ['--aud', 'https://a.example'];
    const iss = ['--iss', 'https://idp.example'];
    for (const [argv, reason] of [
      [[...base, '--bearer', ...iss], /--aud is required with --bearer/],
      [[...base, '--bearer', ...aud], /--iss is required/],
      [[...base, '--bearer', ...aud, ...iss, '--workload-key', file('caller.jwk')], /binds no key/],
      [['mint', '--issuer-key', file('issuer.jwk'), '--sub', 'wimse://x/../y', '--bearer', ...aud, ...iss], /--sub/],
      [['mint', '--issuer-key', file('issuer.pub.jwk'), '--sub', CALLER, '--bearer', ...aud, ...iss], /private key/],
      [[...base, '--workload-key', file('caller.jwk'), ...aud], /--aud is for a bearer token/],
    ] as const) {
      const result = await runCli([...argv]);
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, reason);
    }
  });
});

describe('wimse-pep request --bearer', () => {
  it('bearer only: sends Authorization: Bearer, nothing signed, and never prints the token', async () => {
    const token = readFileSync(file('caller.token'), 'utf8').trim();
    const result = await runCli(['request', `${service.origin}/orders`, '--bearer', `@${file('caller.token')}`]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /^Bearer token header and payload \(the token itself is not shown\):\n\{\n {2}"alg"/);
    assert.match(result.stdout, /"typ": "at\+jwt"/);
    assert.match(result.stdout, /^Authorization: Bearer \[redacted\]$/m);
    assert.doesNotMatch(result.stdout, /Workload-Identity-Token|Signature-Input/);
    assert.match(result.stdout, new RegExp(`"bearer":"${CALLER}"`));
    assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token));
    assert.ok(!result.stdout.includes(token.split('.')[2] as string), 'not even the signature part');
  });

  it('dual send: the WIT signature covers authorization, and the server sees both', async () => {
    const token = readFileSync(file('caller.token'), 'utf8').trim();
    const result = await runCli([
      'request',
      `${service.origin}/orders`,
      '--wit',
      file('caller.wit'),
      '--key',
      file('caller.jwk'),
      '--bearer',
      token,
      '-d',
      'x',
    ]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /^WIT header and payload:/);
    assert.match(result.stdout, /^Signature-Input: sig1=\([^)]*"authorization"[^)]*\)/m);
    assert.match(result.stdout, new RegExp(`"hello":"${CALLER}".*"bearer":"${CALLER}"`));
    assert.ok(!result.stdout.includes(token));
  });

  it('a refused bearer token is a failed request (exit 1)', async () => {
    const elsewhere = (await issuer.issueBearer({ sub: CALLER, aud: 'https://elsewhere.example' })).access_token;
    const result = await runCli(['request', `${service.origin}/orders`, '--bearer', elsewhere]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /answered 401/);
  });

  it('usage errors (exit 2): unusable tokens, a missing file, signing options without a WIT', async () => {
    const token = readFileSync(file('caller.token'), 'utf8').trim();
    const wit = readFileSync(file('caller.wit'), 'utf8').trim();
    const url = `${service.origin}/orders`;
    for (const [argv, reason] of [
      [['--bearer', `@${file('missing.token')}`], /cannot read the file \(ENOENT\)/],
      [['--bearer', `Bearer ${token}`], /without the "Bearer " scheme/],
      [['--bearer', wit], /is a WIT/],
      [['--bearer', token, '--profile', 'http-sig-06'], /--profile applies to signed requests/],
      [['--bearer', token, '--require-signed-response'], /--require-signed-response applies to signed requests/],
      [['--bearer', token, '--wit', file('caller.wit')], /--key is required/],
      [['--bearer', token, '-H', 'authorization: Basic eDp5'], /set from the bearer option/],
      [[], /--wit is required/],
    ] as const) {
      const result = await runCli(['request', url, ...argv]);
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, reason);
      assert.ok(!result.stderr.includes(token), 'the token is never printed');
    }
  });
});
