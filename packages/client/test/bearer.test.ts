import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CredentialError,
  createWimseFetch,
  redactHeaders,
  refreshingBearer,
  type SentRequest,
  staticBearer,
} from '@wimse-pep/client';
import { generateTestKey } from '../../../test/support/index.js';
import { CALLER_ID, startTestService, type TestService, TestTrust } from './support/test-service.js';

/** A clock the test moves by hand, shared by the client, the token sources and the service. */
let nowMs = Date.now();
const clock = () => nowMs;
const trust = new TestTrust(clock);
const callerKey = generateTestKey('ES256');
let service: TestService;

before(async () => {
  service = await startTestService(trust);
});
after(() => service.close());

interface Answer {
  id: string;
  proof: string;
  bearerSub?: string;
  coveredComponents?: string[];
  code?: string;
}

async function answerOf(response: Response): Promise<Answer> {
  return (await response.json()) as Answer;
}

const bearerFor = (sub = CALLER_ID, ttlSec = 3600) => trust.bearer(sub, service.origin, ttlSec);

describe('createWimseFetch with a bearer token only: a caller not migrated yet', () => {
  it('sends Authorization: Bearer and nothing signed; the server authenticates the token', async () => {
    const token = await bearerFor();
    const sent: SentRequest[] = [];
    const legacyFetch = createWimseFetch({ bearer: token, now: clock, onRequest: (request) => sent.push(request) });
    const response = await legacyFetch(`${service.origin}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item":"tea"}',
    });
    assert.equal(response.status, 200);
    const answer = await answerOf(response);
    assert.equal(answer.id, CALLER_ID);
    assert.equal(answer.proof, 'bearer');
    const seen = service.seen.at(-1);
    assert.equal(seen?.headers.authorization, `Bearer ${token}`);
    for (const name of ['workload-identity-token', 'signature', 'signature-input', 'content-digest']) {
      assert.equal(seen?.headers[name], undefined, name);
    }
    assert.equal(seen?.body, '{"item":"tea"}');
    // What onRequest is told (for logs and demos) says "Bearer" and never carries the token.
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.headers.authorization, 'Bearer [redacted]');
    assert.equal(sent[0]?.nonce, undefined);
    assert.ok(!JSON.stringify(sent).includes(token.split('.')[2] as string));
  });

  it('a refused token comes back as the server answered it (401)', async () => {
    const otherAudience = await trust.bearer(CALLER_ID, 'https://elsewhere.example');
    const response = await createWimseFetch({ bearer: otherAudience, now: clock })(`${service.origin}/orders`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  });
});

describe('createWimseFetch with credentials and a bearer token: dual send', () => {
  it('signs the request with the WIT, the signature covering authorization', async () => {
    const token = await bearerFor();
    const sent: SentRequest[] = [];
    const dualFetch = createWimseFetch({
      credentials: { wit: await trust.wit(CALLER_ID, callerKey), privateKey: callerKey.privateKey },
      bearer: token,
      now: clock,
      onRequest: (request) => sent.push(request),
    });
    const response = await dualFetch(`${service.origin}/orders?x=1`, { method: 'PUT', body: 'one' });
    const answer = await answerOf(response);
    assert.equal(response.status, 200, JSON.stringify(answer));
    // The identity is the WIT's, proven by the signature; the bearer token was verified beside it.
    assert.equal(answer.id, CALLER_ID);
    assert.equal(answer.proof, 'http-signature');
    assert.equal(answer.bearerSub, CALLER_ID);
    assert.ok(answer.coveredComponents?.includes('"authorization"'), String(answer.coveredComponents));
    const seen = service.seen.at(-1);
    assert.equal(seen?.headers.authorization, `Bearer ${token}`);
    assert.match(String(seen?.headers['signature-input']), /"authorization"/);
    assert.equal(sent[0]?.headers.authorization, 'Bearer [redacted]');
    assert.ok(sent[0]?.nonce);
  });

  it('a bearer token swapped in transit breaks the signature (signature_invalid)', async () => {
    const mine = await bearerFor();
    const someoneElses = await bearerFor('wimse://td.example/service/other');
    const swapping = createWimseFetch({
      credentials: { wit: await trust.wit(CALLER_ID, callerKey), privateKey: callerKey.privateKey },
      bearer: mine,
      now: clock,
      // The network between caller and server: replaces the Authorization field on the way.
      fetch: (input, init) =>
        fetch(input, { ...init, headers: { ...(init.headers as object), authorization: `Bearer ${someoneElses}` } }),
    });
    const response = await swapping(`${service.origin}/orders`);
    const answer = await answerOf(response);
    assert.equal(response.status, 400);
    assert.equal(answer.code, 'signature_invalid');
  });

  it('the -06 profile covers authorization too', async () => {
    const sent: SentRequest[] = [];
    const legacyProfile = createWimseFetch({
      credentials: { wit: await trust.wit(CALLER_ID, callerKey), privateKey: callerKey.privateKey },
      bearer: await bearerFor(),
      profile: 'http-sig-06',
      now: clock,
      onRequest: (request) => sent.push(request),
    });
    await (await legacyProfile(`${service.origin}/orders`)).arrayBuffer();
    assert.match(String(sent[0]?.headers['signature-input']), /^wimse=\("@method" "@request-target" "authorization"/);
  });
});

describe('bearer token sources', () => {
  it('a callback is called again before the JWT expires, and concurrent requests share one call', async () => {
    const saved = nowMs;
    let calls = 0;
    const source = refreshingBearer(
      async () => {
        calls += 1;
        return bearerFor(CALLER_ID, 100);
      },
      { now: clock },
    );
    const tokenFetch = createWimseFetch({ bearer: source, now: clock });
    try {
      const first = await Promise.all([1, 2, 3].map(() => tokenFetch(`${service.origin}/a`)));
      assert.deepEqual(
        first.map((response) => response.status),
        [200, 200, 200],
      );
      assert.equal(calls, 1);
      nowMs += 40_000; // 60 s left of 100: max(0.2 × 100, 60) capped at 50 → refresh at 50 s
      assert.equal((await tokenFetch(`${service.origin}/a`)).status, 200);
      assert.equal(calls, 1);
      nowMs += 11_000; // 49 s left: refreshed
      assert.equal((await tokenFetch(`${service.origin}/a`)).status, 200);
      assert.equal(calls, 2);
    } finally {
      nowMs = saved;
    }
  });

  it('a failed refresh keeps the unexpired token; once expired, the failure rejects the request', async () => {
    const saved = nowMs;
    let fail = false;
    const errors: unknown[] = [];
    const source = refreshingBearer(
      async () => {
        if (fail) throw new Error('token endpoint down');
        return bearerFor(CALLER_ID, 100);
      },
      { now: clock, retryDelayMs: 1000, onRefreshError: (error) => errors.push(error) },
    );
    try {
      const token = await source.getBearer();
      fail = true;
      nowMs += 60_000;
      assert.equal(await source.getBearer(), token);
      assert.equal(errors.length, 1);
      nowMs += 41_000;
      await assert.rejects(source.getBearer(), (error: unknown) => {
        assert.ok(error instanceof CredentialError);
        assert.match(error.message, /token endpoint down/);
        return true;
      });
    } finally {
      nowMs = saved;
    }
  });

  it('an opaque token (no readable exp) is asked for before every request', async () => {
    let calls = 0;
    const source = refreshingBearer(() => {
      calls += 1;
      return `opaque-${calls}`;
    });
    assert.equal(await source.getBearer(), 'opaque-1');
    assert.equal(await source.getBearer(), 'opaque-2');
  });

  it('an expired fixed JWT is not sent', async () => {
    const saved = nowMs;
    const token = await bearerFor(CALLER_ID, 10);
    const expiring = createWimseFetch({ bearer: staticBearer(token, { now: clock }), now: clock });
    const count = service.seen.length;
    try {
      nowMs += 11_000;
      await assert.rejects(expiring(`${service.origin}/a`), (error: unknown) => {
        assert.ok(error instanceof CredentialError);
        assert.match(error.message, /expired/);
        assert.ok(!error.message.includes(token));
        return true;
      });
      assert.equal(service.seen.length, count, 'nothing was sent');
    } finally {
      nowMs = saved;
    }
  });

  it('a callback that returns a WIT or a malformed token fails the request before anything is sent', async () => {
    const wit = await trust.wit(CALLER_ID, callerKey);
    const count = service.seen.length;
    for (const [token, reason] of [
      [wit, /is a WIT/],
      ['line\r\nx-injected: 1', /RFC 6750/],
      ['', /non-empty/],
    ] as const) {
      const bad = createWimseFetch({ bearer: () => token });
      await assert.rejects(bad(`${service.origin}/a`), (error: unknown) => {
        assert.ok(error instanceof CredentialError, String(error));
        assert.match(error.message, reason);
        return true;
      });
    }
    assert.equal(service.seen.length, count);
  });
});

describe('createWimseFetch bearer options are validated when created', () => {
  it('refuses unusable tokens with a TypeError that names the problem, never the token', async () => {
    const wit = await trust.wit(CALLER_ID, callerKey);
    const token = await bearerFor();
    for (const [bearer, reason] of [
      [`Bearer ${token}`, /without the "Bearer " scheme/],
      [wit, /is a WIT/],
      [`${token} extra`, /RFC 6750/],
      ['', /non-empty/],
      [42, /bearer must be a token string/],
      [{ token }, /bearer must be a token string/],
    ] as const) {
      assert.throws(
        () => createWimseFetch({ bearer: bearer as never }),
        (error: unknown) => {
          assert.ok(error instanceof TypeError, String(error));
          assert.match(error.message, reason);
          assert.ok(!error.message.includes(token) && !error.message.includes(wit));
          return true;
        },
      );
    }
  });

  it('needs credentials or a bearer token, and refuses signing options without credentials', () => {
    assert.throws(() => createWimseFetch({}), /credentials \(a WIT and its key\) or bearer/);
    for (const extra of [
      { profile: 'http-sig-06' as const },
      { audience: 'https://x.example/' },
      { lifetimeSec: 30 },
      { requireSignedResponse: { verifier: trust.responseVerifier() } },
    ]) {
      const name = Object.keys(extra)[0] as string;
      assert.throws(
        () => createWimseFetch({ bearer: 'opaque', ...extra }),
        new RegExp(`${name} applies to signed requests, and needs credentials`),
      );
    }
  });

  it('refuses an Authorization header set by the caller beside the bearer option', async () => {
    const count = service.seen.length;
    const withBearer = createWimseFetch({ bearer: 'opaque' });
    await assert.rejects(
      withBearer(`${service.origin}/a`, { headers: { Authorization: 'Bearer other' } }),
      /authorization header is set from the bearer option/,
    );
    assert.equal(service.seen.length, count);
  });
});

describe('redactHeaders', () => {
  it('keeps the scheme and drops the credentials of Authorization and Proxy-Authorization', () => {
    assert.deepEqual(
      redactHeaders({
        authorization: 'Bearer abc.def.ghi',
        'proxy-authorization': 'Basic dXNlcjpwYXNz',
        'content-type': 'text/plain',
      }),
      { authorization: 'Bearer [redacted]', 'proxy-authorization': 'Basic [redacted]', 'content-type': 'text/plain' },
    );
    assert.deepEqual(redactHeaders({ authorization: 'justatoken' }), { authorization: '[redacted]' });
  });
});
