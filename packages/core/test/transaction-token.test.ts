/**
 * Transaction Tokens (draft-ietf-oauth-transaction-tokens-10) read and verified by the core, with
 * real keys: every refusal has its own code, the key set fails closed, the options are checked
 * once. The adapters' tests (test/adapters/transaction-tokens.test.ts) cover the binding to the
 * caller's proof over HTTP.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createTransactionTokenVerifier,
  MemoryReplayStore,
  type ReplayStore,
  type TransactionTokenOptions,
} from '@wimse-pep/core';
import { tokenHash } from '@wimse-pep/core/signing';
import { generateTestKey, mintTxnToken, NOW_SEC, now, TRUST_DOMAIN } from '../../../test/support/index.js';
import { rejectsWith } from './helpers.js';

const ttsKey = generateTestKey('ES256', 'tts-1');
const otherKey = generateTestKey('ES256', 'tts-1');
const CALLER = 'wimse://td.example/service/caller';

function verifier(options: Partial<TransactionTokenOptions> = {}) {
  return createTransactionTokenVerifier(
    { audience: TRUST_DOMAIN, jwks: { keys: [ttsKey.publicJwk] }, ...options } as TransactionTokenOptions,
    'transactionTokens',
    { now, clockToleranceSec: 60 },
  );
}

describe('a Txn-Token is read from exactly one field', () => {
  const txn = verifier();
  const token = mintTxnToken({ key: ttsKey });

  it('absent: undefined; present: the token, optional whitespace trimmed', () => {
    assert.equal(txn.read({}), undefined);
    assert.equal(txn.read({ 'txn-token': ` ${token}\t` }), token);
    assert.equal(txn.read({ 'Txn-Token': token }), token);
  });

  it('two field lines, or two tokens joined by a proxy: txn_token_duplicated', async () => {
    await rejectsWith(
      Promise.resolve().then(() => txn.read({ 'txn-token': [token, token] })),
      'txn_token_duplicated',
    );
    await rejectsWith(
      Promise.resolve().then(() => txn.read({ 'txn-token': `${token}, ${token}` })),
      'txn_token_duplicated',
    );
  });

  it('empty, not a compact JWS, a JWE, or over maxBytes: txn_token_malformed', async () => {
    for (const value of ['', 'not-a-jwt', 'a.b', `${token}.x.y`, 'a.b.c!']) {
      await rejectsWith(
        Promise.resolve().then(() => txn.read({ 'txn-token': value })),
        'txn_token_malformed',
      );
    }
    const small = verifier({ maxBytes: 256 });
    await rejectsWith(
      Promise.resolve().then(() => small.read({ 'txn-token': token })),
      'txn_token_malformed',
    );
  });
});

describe('a Txn-Token is verified with the Transaction Token Service keys', () => {
  const txn = verifier({ algorithms: ['ES256'] });

  it('a valid token gives its context, with the hash a WPT tth carries and never the token', async () => {
    const token = mintTxnToken({ key: ttsKey, claims: { txn: 'txn-42' } });
    const context = await txn.verify(token, CALLER);
    assert.deepEqual(context, {
      txn: 'txn-42',
      sub: 'user:alice',
      scope: 'orders:read orders:write',
      scopes: ['orders:read', 'orders:write'],
      requestingWorkload: 'wimse://td.example/service/gateway',
      tctx: { action: 'refund', amount: 125 },
      rctx: { req_ip: '192.0.2.7' },
      issuer: 'https://tts.td.example',
      issuedAt: NOW_SEC - 10,
      expiresAt: NOW_SEC + 110,
      tokenHash: tokenHash(token),
    });
    assert.ok(!JSON.stringify(context).includes(token.split('.')[2] as string));
  });

  it('tctx and rctx are optional (RECOMMENDED); iss is optional unless configured', async () => {
    const token = mintTxnToken({ key: ttsKey, claims: { tctx: undefined, rctx: undefined, iss: undefined } });
    const context = await txn.verify(token, CALLER);
    assert.equal(context.tctx, undefined);
    assert.equal(context.rctx, undefined);
    assert.equal(context.issuer, undefined);
    await rejectsWith(verifier({ issuer: 'https://tts.td.example' }).verify(token, CALLER), 'txn_token_invalid');
  });

  it('a list of audiences accepts any of them; aud may be an array naming one of them', async () => {
    const token = mintTxnToken({ key: ttsKey, claims: { aud: ['elsewhere.example', 'td.example'] } });
    assert.equal((await txn.verify(token, CALLER)).sub, 'user:alice');
    const other = mintTxnToken({ key: ttsKey, claims: { aud: 'other.example' } });
    assert.equal(
      (await verifier({ audience: ['td.example', 'other.example'] }).verify(other, CALLER)).sub,
      'user:alice',
    );
  });

  const refusals: ReadonlyArray<[string, () => string, string]> = [
    [
      'typ wit+jwt (a WIT is never a Txn-Token)',
      () => mintTxnToken({ key: ttsKey, header: { typ: 'wit+jwt' } }),
      'txn_token_invalid',
    ],
    ['typ absent', () => mintTxnToken({ key: ttsKey, header: { typ: undefined } }), 'txn_token_invalid'],
    ['signed by another key with the same kid', () => mintTxnToken({ key: otherKey }), 'txn_token_invalid'],
    [
      'an algorithm not allowed (RS256 against an ES256 list)',
      () => mintTxnToken({ key: generateTestKey('RS256', 'tts-1') }),
      'txn_token_invalid',
    ],
    [
      'a kid no key of the service has',
      () => mintTxnToken({ key: generateTestKey('ES256', 'tts-9') }),
      'txn_token_unknown_key',
    ],
    [
      'aud another trust domain',
      () => mintTxnToken({ key: ttsKey, claims: { aud: 'other.example' } }),
      'txn_token_audience_mismatch',
    ],
    [
      'aud a URL of the right domain (an exact value is configured)',
      () => mintTxnToken({ key: ttsKey, claims: { aud: 'https://td.example' } }),
      'txn_token_audience_mismatch',
    ],
    [
      'expired beyond the tolerance',
      () => mintTxnToken({ key: ttsKey, claims: { iat: NOW_SEC - 400, exp: NOW_SEC - 61 } }),
      'txn_token_expired',
    ],
    [
      'issued in the future',
      () => mintTxnToken({ key: ttsKey, claims: { iat: NOW_SEC + 120, exp: NOW_SEC + 300 } }),
      'txn_token_expired',
    ],
    ['not valid yet (nbf)', () => mintTxnToken({ key: ttsKey, claims: { nbf: NOW_SEC + 120 } }), 'txn_token_expired'],
    [
      'a lifetime over five minutes',
      () => mintTxnToken({ key: ttsKey, claims: { iat: NOW_SEC - 10, exp: NOW_SEC + 300 } }),
      'txn_token_lifetime',
    ],
    ['no txn', () => mintTxnToken({ key: ttsKey, claims: { txn: undefined } }), 'txn_token_malformed'],
    ['no req_wl', () => mintTxnToken({ key: ttsKey, claims: { req_wl: undefined } }), 'txn_token_malformed'],
    ['no scope', () => mintTxnToken({ key: ttsKey, claims: { scope: undefined } }), 'txn_token_malformed'],
    ['no sub', () => mintTxnToken({ key: ttsKey, claims: { sub: undefined } }), 'txn_token_malformed'],
    ['no iat', () => mintTxnToken({ key: ttsKey, claims: { iat: undefined } }), 'txn_token_malformed'],
    ['no exp', () => mintTxnToken({ key: ttsKey, claims: { exp: undefined } }), 'txn_token_malformed'],
    ['no aud', () => mintTxnToken({ key: ttsKey, claims: { aud: undefined } }), 'txn_token_malformed'],
    [
      'exp a string',
      () => mintTxnToken({ key: ttsKey, claims: { exp: String(NOW_SEC + 100) } }),
      'txn_token_malformed',
    ],
    ['txn a number', () => mintTxnToken({ key: ttsKey, claims: { txn: 42 } }), 'txn_token_malformed'],
    ['req_wl an object', () => mintTxnToken({ key: ttsKey, claims: { req_wl: { id: 'x' } } }), 'txn_token_malformed'],
    ['tctx an array', () => mintTxnToken({ key: ttsKey, claims: { tctx: ['refund'] } }), 'txn_token_malformed'],
    ['rctx a string', () => mintTxnToken({ key: ttsKey, claims: { rctx: 'ip' } }), 'txn_token_malformed'],
    [
      'a repeated JSON member (two spellings of one token)',
      () => {
        const [header, , signature] = mintTxnToken({ key: ttsKey }).split('.');
        const payload = Buffer.from('{"sub":"a","sub":"b"}').toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
      'txn_token_malformed',
    ],
    [
      'a payload that is not JSON',
      () => {
        const [header, , signature] = mintTxnToken({ key: ttsKey }).split('.');
        return `${header}.${Buffer.from('not json').toString('base64url')}.${signature}`;
      },
      'txn_token_malformed',
    ],
  ];
  for (const [name, token, code] of refusals) {
    it(`${name}: ${code}`, async () => {
      const error = await rejectsWith(txn.verify(token(), CALLER), code as never);
      assert.equal(error.status, 400);
    });
  }
});

describe('the Transaction Token Service key set fails closed', () => {
  let hanging: Server;
  let hangingUrl: string;
  let closedUrl: string;
  before(async () => {
    hanging = createServer(() => {
      // Never answers: the fetch must time out.
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/jwks.json`;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });
  after(async () => {
    hanging.closeAllConnections();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
  });

  it('a key set nobody serves: 503 unavailable, not an invalid token', async () => {
    const txn = verifier({ jwks: undefined, jwksUri: closedUrl });
    const error = await rejectsWith(txn.verify(mintTxnToken({ key: ttsKey }), CALLER), 'unavailable');
    assert.equal(error.status, 503);
  });

  it('a key set that never answers: 503 within its timeout', async () => {
    const txn = verifier({ jwks: undefined, jwksUri: hangingUrl, timeoutMs: 200 });
    const started = Date.now();
    await rejectsWith(txn.verify(mintTxnToken({ key: ttsKey }), CALLER), 'unavailable');
    assert.ok(Date.now() - started < 5000, 'bounded by the fetch timeout');
  });

  it('a served key set verifies, and its unknown kid is txn_token_unknown_key', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [ttsKey.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      const txn = verifier({ jwks: undefined, jwksUri });
      assert.equal((await txn.verify(mintTxnToken({ key: ttsKey }), CALLER)).sub, 'user:alice');
      await rejectsWith(
        txn.verify(mintTxnToken({ key: generateTestKey('ES256', 'unknown') }), CALLER),
        'txn_token_unknown_key',
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a txn seen twice is refused only when the service opts in', () => {
  it('by default the same transaction may call twice', async () => {
    const txn = verifier();
    const token = mintTxnToken({ key: ttsKey });
    await txn.verify(token, CALLER);
    await txn.verify(token, CALLER);
  });

  it('rejectReplayedTxn: the second call of a transaction is txn_token_replay, even with a new token', async () => {
    const txn = verifier({ rejectReplayedTxn: true });
    await txn.verify(mintTxnToken({ key: ttsKey, claims: { txn: 'txn-once' } }), CALLER);
    await rejectsWith(
      txn.verify(mintTxnToken({ key: ttsKey, claims: { txn: 'txn-once' } }), CALLER),
      'txn_token_replay',
    );
    await txn.verify(mintTxnToken({ key: ttsKey, claims: { txn: 'txn-other' } }), CALLER);
  });

  it('a shared store receives tagged keys until the token expires, charged to the caller', async () => {
    const store = new MemoryReplayStore({ now });
    const calls: unknown[][] = [];
    const recording: ReplayStore = {
      addIfAbsent: (...args) => {
        calls.push(args);
        return store.addIfAbsent(...args);
      },
    };
    const txn = verifier({ rejectReplayedTxn: { store: recording } });
    await txn.verify(mintTxnToken({ key: ttsKey, claims: { txn: 'txn-7' } }), CALLER);
    assert.deepEqual(calls, [
      ['txn:txn-7', (NOW_SEC + 110 + 60) * 1000, (NOW_SEC - 10) * 1000, NOW_SEC * 1000, CALLER],
    ]);
  });

  it('a store that fails or does not answer: 503, never an accepted token', async () => {
    const failing = verifier({
      rejectReplayedTxn: { store: { addIfAbsent: () => Promise.reject(new Error('down')) } },
    });
    await rejectsWith(failing.verify(mintTxnToken({ key: ttsKey }), CALLER), 'unavailable');
    const silent = verifier({
      rejectReplayedTxn: { store: { addIfAbsent: () => new Promise<boolean>(() => {}) }, timeoutMs: 50 },
    });
    await rejectsWith(silent.verify(mintTxnToken({ key: ttsKey }), CALLER), 'unavailable');
  });
});

describe('transactionTokens options are checked once', () => {
  const cases: ReadonlyArray<[string, Record<string, unknown>, RegExp]> = [
    ['no audience', { audience: undefined }, /transactionTokens\.audience must be/],
    ['an empty audience', { audience: '' }, /transactionTokens\.audience must be/],
    ['no keys', { jwks: undefined }, /transactionTokens must be an object with the Transaction Token Service keys/],
    ['both keys', { jwksUri: 'https://tts.example/jwks' }, /exactly one of jwks/],
    ['a private key', { jwks: { keys: [{ kty: 'EC', d: 'x' }] } }, /a public key/],
    ['a plain-http remote set', { jwks: undefined, jwksUri: 'http://tts.example/jwks' }, /https URL/],
    ['HS256', { algorithms: ['HS256'] }, /asymmetric JWS signature algorithm/],
    ['a zero lifetime', { maxLifetimeSec: 0 }, /maxLifetimeSec must be a positive integer/],
    ['a tiny size limit', { maxBytes: 10 }, /maxBytes must be an integer from 256/],
    ['required a string', { required: 'yes' }, /required must be/],
    ['a replay store without addIfAbsent', { rejectReplayedTxn: { store: {} } }, /rejectReplayedTxn\.store must be/],
    ['an unknown option', { audiences: ['x'] }, /audiences must be absent/],
  ];
  for (const [name, change, message] of cases) {
    it(`${name}: a TypeError naming the field`, () => {
      assert.throws(
        () => verifier(change as Partial<TransactionTokenOptions>),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
