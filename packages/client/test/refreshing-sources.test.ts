import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CredentialError, refreshingBearer, refreshingCredentials } from '@wimse-pep/client';
import { generateTestKey } from '../../../test/support/index.js';
import { CALLER_ID, TestTrust } from './support/test-service.js';

/**
 * `refreshingBearer` and `refreshingCredentials` follow one rule (when to ask again, what to do
 * when asking fails); each keeps its own names in messages. The same cases run against both.
 */

/** A clock the test moves by hand, shared by the sources and the issuer. */
let nowMs = Date.now();
const clock = () => nowMs;
const trust = new TestTrust(clock);
const TTL_SEC = 100; // refreshed once 50 s remain: max(0.2 × 100, 60) capped at half the lifetime

interface RefreshingKind {
  readonly factory: string;
  readonly where: string;
  readonly expiredOnArrival: RegExp;
  /** Something the callback can give, issued now and valid for `ttlSec`. */
  issue(ttlSec: number): Promise<unknown>;
  /** The source over `callback`, as a function resolving what it would send (the token, the WIT). */
  create(callback: unknown, options: Record<string, unknown>): () => Promise<string>;
}

const kinds: readonly RefreshingKind[] = [
  {
    factory: 'refreshingBearer',
    where: 'bearer callback',
    expiredOnArrival: /^bearer callback returned an expired token;: the bearer token expired at /,
    issue: (ttlSec) => trust.bearer(CALLER_ID, 'https://orders.td.example', ttlSec),
    create(callback, options) {
      const source = refreshingBearer(callback as () => Promise<string>, options);
      return () => source.getBearer();
    },
  },
  {
    factory: 'refreshingCredentials',
    where: 'credentials callback',
    expiredOnArrival: new RegExp(
      `^credentials callback returned an expired WIT;: the WIT for ${CALLER_ID} expired at `,
    ),
    async issue(ttlSec) {
      const key = generateTestKey('EdDSA');
      return { wit: await trust.wit(CALLER_ID, key, ttlSec), privateKey: key.privateKey };
    },
    create(callback, options) {
      const source = refreshingCredentials(callback as () => Promise<never>, options);
      return async () => (await source.getCredentials()).wit;
    },
  },
];

for (const kind of kinds) {
  describe(`${kind.factory}: the shared refresh rule`, () => {
    it('validates the callback and the options when created, naming the factory', () => {
      const callback = () => kind.issue(TTL_SEC);
      assert.throws(() => kind.create('not a function', {}), {
        name: 'TypeError',
        message: `${kind.factory}: callback must be a function`,
      });
      for (const [options, message] of [
        [{ refreshBeforeRatio: 1 }, 'refreshBeforeRatio must be in [0, 1)'],
        [{ refreshBeforeRatio: Number.NaN }, 'refreshBeforeRatio must be in [0, 1)'],
        [{ refreshBeforeSec: -1 }, 'refreshBeforeSec must be >= 0'],
        [{ retryDelayMs: -5 }, 'retryDelayMs must be >= 0'],
      ] as const) {
        assert.throws(() => kind.create(callback, options), {
          name: 'TypeError',
          message: `${kind.factory}: ${message}`,
        });
      }
    });

    it('refuses what the callback gives already expired, saying so', async () => {
      const expired = await kind.issue(10);
      const current = kind.create(() => expired, { now: () => nowMs + 11_000 });
      await assert.rejects(current(), (error: unknown) => {
        assert.ok(error instanceof CredentialError, String(error));
        assert.match(error.message, kind.expiredOnArrival);
        return true;
      });
    });

    it('keeps the value when the callback has nothing fresher, and asks again after retryDelayMs', async () => {
      const cached = await kind.issue(TTL_SEC);
      let calls = 0;
      const current = kind.create(
        () => {
          calls += 1;
          return cached;
        },
        { now: clock, retryDelayMs: 1000 },
      );
      const saved = nowMs;
      try {
        const first = await current();
        assert.equal(calls, 1);
        nowMs += 51_000; // in the refresh window: asked, but the same expiry comes back
        assert.equal(await current(), first);
        assert.equal(calls, 2);
        assert.equal(await current(), first);
        assert.equal(calls, 2, 'not asked again before retryDelayMs');
        nowMs += 1000;
        assert.equal(await current(), first);
        assert.equal(calls, 3);
      } finally {
        nowMs = saved;
      }
    });

    it('turns a failing callback into a CredentialError naming the callback, with the cause', async () => {
      const cause = new Error('issuer unreachable');
      const current = kind.create(
        () => {
          throw cause;
        },
        { now: clock },
      );
      await assert.rejects(current(), (error: unknown) => {
        assert.ok(error instanceof CredentialError, String(error));
        assert.equal(error.message, `${kind.where} failed: issuer unreachable`);
        assert.equal(error.cause, cause);
        return true;
      });
    });
  });
}

describe('refreshingBearer: an opaque token', () => {
  it('is not kept when asking again fails, since its expiry cannot be judged', async () => {
    let fail = false;
    const errors: unknown[] = [];
    const source = refreshingBearer(
      () => {
        if (fail) throw new Error('token endpoint down');
        return 'opaque-token';
      },
      { onRefreshError: (error) => errors.push(error) },
    );
    assert.equal(await source.getBearer(), 'opaque-token');
    fail = true;
    await assert.rejects(source.getBearer(), /^CredentialError: bearer callback failed: token endpoint down$/);
    assert.equal(errors.length, 0, 'not reported as a refresh error kept over');
  });
});
