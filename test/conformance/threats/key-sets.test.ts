/**
 * Threat rows O7 (an identity-server outage turned into a fetch storm) and O8 (a WIT still accepted
 * from the cache after its key was withdrawn), against a real key set served over HTTP on
 * 127.0.0.1 whose fetches are counted. The verifier's clock is injected and moved by hand, so
 * cool-downs, backoff and maximum ages are exercised without waiting and without timing thresholds.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createVerifier, type VerifierOptions, WimseError, type WorkloadRequest } from '@wimse-pep/core';
import {
  CALLER_ID,
  createScenario,
  generateTestKey,
  ISSUER,
  mintWit,
  NOW_SEC,
  type Scenario,
  signedWorkloadRequest,
  type TestKeyPair,
  TRUST_DOMAIN,
} from '../../support/index.js';
import { describeError, expectWimseError, settle } from '../helpers.js';

/** A key set server whose answer the test changes: the keys it serves, or an HTTP 500. */
interface KeySetServer {
  fetches: number;
  failing: boolean;
  keys: Record<string, unknown>[];
  readonly uri: string;
}

let server: Server;
let keySet: KeySetServer;
let scenario: Scenario;
let clock = NOW_SEC * 1000;
const COOLDOWN_MS = 30_000;
const MAX_AGE_MS = 600_000;

before(async () => {
  scenario = await createScenario();
  const state = { fetches: 0, failing: false, keys: [] as Record<string, unknown>[] };
  server = createServer((_req, res) => {
    state.fetches++;
    if (state.failing) {
      res.statusCode = 500;
      res.end('identity server down');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  keySet = Object.assign(state, { uri });
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  keySet.fetches = 0;
  keySet.failing = false;
  keySet.keys = [scenario.issuerKey.publicJwk];
  clock = NOW_SEC * 1000;
});

/** A verifier on the served key set, with the verifier clock under the test's control. */
function verifier(overrides: Partial<VerifierOptions> = {}) {
  return createVerifier({
    ...scenario.options,
    trustDomains: [
      {
        trustDomain: TRUST_DOMAIN,
        issuers: [
          {
            issuer: ISSUER,
            jwksUri: keySet.uri,
            algorithms: ['ES256'],
            cooldownMs: COOLDOWN_MS,
            cacheMaxAgeMs: MAX_AGE_MS,
            timeoutMs: 2000,
          },
        ],
      },
    ],
    now: () => clock,
    ...overrides,
  });
}

/** A request signed now (by the test clock) with a WIT from `issuerKey` under `kid`. */
async function requestWith(kid: string, issuerKey: TestKeyPair = scenario.issuerKey): Promise<WorkloadRequest> {
  const wit = await mintWit({
    issuerKey,
    kid,
    sub: CALLER_ID,
    cnfJwk: scenario.workloadKey.publicJwk,
    iat: NOW_SEC - 60,
    exp: NOW_SEC + 7200,
    iss: ISSUER,
  });
  return signedAt({ wit, workloadKey: scenario.workloadKey });
}
const signedAt = (credentials: Pick<Scenario, 'wit' | 'workloadKey'>) =>
  signedWorkloadRequest(credentials, {}, { now: () => clock });

function assertUnavailableWithRetryAfter(error: unknown): void {
  assert.ok(error instanceof WimseError, describeError(error));
  assert.equal(error.code, 'unavailable', describeError(error));
  assert.equal(error.status, 503);
  assert.match(error.headers['Retry-After'] ?? '', /^[1-9][0-9]*$/);
}

describe('O7: a key set that fails is cooled down too', () => {
  it('[O7] 1,000 unknown kids over 2 s while the key set answers 500: a few fetches, every request 503 with Retry-After', async () => {
    const v = verifier();
    assert.ok(await v.verify(await requestWith('issuer-1')), 'control: the set works first');
    keySet.failing = true;
    const before = keySet.fetches;
    // 1,000 requests in 2 s of verifier time, 100 at a time (clock moves 2 ms per request).
    for (let batch = 0; batch < 10; batch++) {
      const requests = await Promise.all(Array.from({ length: 100 }, (_, i) => requestWith(`unknown-${batch}-${i}`)));
      const results = await Promise.all(
        requests.map(async (request, i) => {
          clock = NOW_SEC * 1000 + COOLDOWN_MS + (batch * 100 + i) * 2;
          return settle(() => v.verify(request));
        }),
      );
      for (const result of results) {
        assert.ok(!result.ok, 'an unknown kid was accepted');
        assertUnavailableWithRetryAfter(result.error);
      }
    }
    // Backoff 1 s then 2 s: attempts at t=0 and t=1 s at most (the issue measured 421 to 622).
    const fetched = keySet.fetches - before;
    assert.ok(fetched >= 1 && fetched <= 2, `the failing key set was fetched ${fetched} times`);
  });

  it('[O7] a cold verifier whose key set is down answers 503 (not invalid): 50 requests, one after another, one fetch', async () => {
    keySet.failing = true;
    const v = verifier();
    for (let i = 0; i < 50; i++) {
      const result = await settle(async () => v.verify(await requestWith('issuer-1')));
      assert.ok(!result.ok);
      assertUnavailableWithRetryAfter(result.error);
    }
    assert.equal(keySet.fetches, 1);
  });

  it('[O7] backoff doubles while the outage lasts and is capped at the cool-down', async () => {
    keySet.failing = true;
    const v = verifier();
    const attempts: number[] = [];
    // Ten minutes of one request a second.
    for (let second = 0; second < 600; second++) {
      clock = NOW_SEC * 1000 + second * 1000;
      const before = keySet.fetches;
      await expectWimseError(v.verify(await requestWith('issuer-1')), 'unavailable');
      if (keySet.fetches > before) attempts.push(second);
    }
    // 0, 1, 3, 7, 15, 31, then every 30 s (the cool-down caps the backoff).
    assert.deepEqual(attempts.slice(0, 6), [0, 1, 3, 7, 15, 31]);
    const gaps = attempts.slice(6).map((at, i) => at - (attempts[i + 5] ?? 0));
    assert.ok(
      gaps.every((gap) => gap === 30),
      `gaps after the cap: ${gaps.join(',')}`,
    );
    assert.ok(attempts.length < 30, `${attempts.length} fetches in ten minutes`);
  });

  it('[O7] a rotated key is picked up within the cool-down once the identity server is back', async () => {
    const v = verifier();
    assert.ok(await v.verify(await requestWith('issuer-1')));
    keySet.failing = true;
    clock += COOLDOWN_MS;
    const rotated = generateTestKey('ES256', 'issuer-2');
    await expectWimseError(v.verify(await requestWith('issuer-2', rotated)), 'unavailable');
    // The identity server comes back, now serving the rotated key.
    keySet.failing = false;
    keySet.keys = [scenario.issuerKey.publicJwk, rotated.publicJwk];
    const request = await requestWith('issuer-2', rotated);
    await expectWimseError(v.verify(request), 'unavailable'); // still inside the 1 s backoff
    clock += 1000;
    const identity = await v.verify(await requestWith('issuer-2', rotated));
    assert.equal(identity.id, CALLER_ID);
  });

  it('[O7] control: after a success, unknown kids inside the cool-down are invalid (400) without a fetch', async () => {
    const v = verifier();
    assert.ok(await v.verify(await requestWith('issuer-1')));
    const before = keySet.fetches;
    for (let i = 0; i < 20; i++) {
      await expectWimseError(v.verify(await requestWith(`unknown-${i}`)), 'wit_invalid', { status: 400 });
    }
    assert.equal(keySet.fetches, before);
  });
});

describe('O8: the verified-WIT cache is bounded by key-set freshness and key presence', () => {
  it('[O8] a cached WIT is refused once its key is withdrawn and the key set refreshed', async () => {
    const v = verifier();
    const wit = await mintWit({
      issuerKey: scenario.issuerKey,
      kid: 'issuer-1',
      sub: CALLER_ID,
      cnfJwk: scenario.workloadKey.publicJwk,
      iat: NOW_SEC - 60,
      exp: NOW_SEC + 7200,
      iss: ISSUER,
    });
    const credentials = { wit, workloadKey: scenario.workloadKey };
    assert.ok(await v.verify(await signedAt(credentials)));
    // The identity server withdraws the key; the set is refreshed when its maximum age passes.
    keySet.keys = [generateTestKey('ES256', 'issuer-2').publicJwk];
    clock += 60_000;
    assert.ok(await v.verify(await signedAt(credentials)), 'within the max age the cached WIT is still used');
    clock = NOW_SEC * 1000 + MAX_AGE_MS;
    await expectWimseError(v.verify(await signedAt(credentials)), 'wit_invalid', { messageIncludes: 'kid' });
  });

  it('[O8] a cached WIT is refused (503) once the key set is past its maximum age and unreachable', async () => {
    const v = verifier();
    const credentials = { wit: scenario.wit, workloadKey: scenario.workloadKey };
    assert.ok(await v.verify(await signedAt(credentials)));
    keySet.failing = true;
    clock = NOW_SEC * 1000 + MAX_AGE_MS;
    const outcome = await settle(async () => v.verify(await signedAt(credentials)));
    assert.ok(!outcome.ok, 'a stale key set still vouched for a cached WIT');
    assertUnavailableWithRetryAfter(outcome.error);
  });

  it('[O8] control: a key still present after the refresh keeps its WITs valid (verified again once)', async () => {
    const v = verifier();
    const credentials = { wit: scenario.wit, workloadKey: scenario.workloadKey };
    assert.ok(await v.verify(await signedAt(credentials)));
    clock = NOW_SEC * 1000 + MAX_AGE_MS;
    const before = keySet.fetches;
    assert.ok(await v.verify(await signedAt(credentials)));
    assert.ok(await v.verify(await signedAt(credentials)));
    assert.equal(keySet.fetches - before, 1);
  });
});
