/**
 * Threat rows O1 (memory), O2 (a request proxied onward) and O4 (what errors reveal). The size
 * limits and malformed-input robustness of O1 are in test/fuzz.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type AuditEvent,
  allowWorkloads,
  createVerifier,
  createWorkloadGuard,
  errorCodes,
  MemoryReplayStore,
  WimseError,
  type WorkloadRequest,
} from '@wimse-pep/core';
import { generateTestKey, NOW_SEC, signCustom, signedWorkloadRequest } from '../../support/index.js';
import { expectWimseError, settle } from '../helpers.js';
import { type AttackFixture, attackFixture } from './setup.js';

let f: AttackFixture;
before(async () => {
  f = await attackFixture();
});

describe('O1: bounded memory under a nonce flood', () => {
  it('[O1] a flood of distinct valid nonces never grows the replay store beyond its bound, nor mislabels one', async () => {
    let clock = NOW_SEC * 1000;
    const replayStore = new MemoryReplayStore({ max: 32, now: () => clock });
    const verifier = createVerifier({ ...f.scenario.options, replayStore, witCacheSize: 4, now: () => clock });
    let accepted = 0;
    let overloaded = 0;
    for (let i = 0; i < 200; i++) {
      // One request a second, each live for expires (+10 s) plus the 60 s tolerance: 70 s.
      clock = (NOW_SEC + i) * 1000;
      const request = await signCustom(f.scenario, {}, { params: { created: NOW_SEC + i, expires: NOW_SEC + i + 10 } });
      const outcome = await settle(() => verifier.verify(request));
      if (outcome.ok) accepted++;
      else {
        // Full of live nonces: an overload (503), never a "replay" of a nonce never seen.
        assert.ok(outcome.error instanceof WimseError);
        assert.equal(outcome.error.code, 'replay_capacity');
        overloaded++;
      }
      assert.ok(replayStore.size <= 32);
    }
    // Capacity frees up as windows pass: traffic keeps flowing at capacity / window.
    assert.ok(accepted > 32, `accepted ${accepted}`);
    assert.ok(overloaded > 0, `overloaded ${overloaded}`);
  });
});

describe('O2: a request proxied onward by the service that received it', () => {
  it('[O2] forwarded with its WIT and signature to another service: refused there by the audience', async () => {
    const request = await signedWorkloadRequest(f.scenario, { target: '/orders?id=7' });
    const serviceA = createVerifier(f.scenario.options);
    assert.ok(await serviceA.verify(request));
    const serviceB = createVerifier({ ...f.scenario.options, audiences: ['https://payments.internal.example'] });
    await expectWimseError(serviceB.verify(request), 'audience_mismatch');
  });
  it('[O2] forwarded to another replica of the same service: refused there as a replay (shared store)', async () => {
    const replayStore = new MemoryReplayStore({ now: () => NOW_SEC * 1000 });
    const request = await signedWorkloadRequest(f.scenario);
    await createVerifier({ ...f.scenario.options, replayStore }).verify(request);
    await expectWimseError(createVerifier({ ...f.scenario.options, replayStore }).verify(request), 'replay');
  });
});

describe('O6: a dependency that never answers', () => {
  it('a replay store that never answers: 503 unavailable with Retry-After once replayStoreTimeoutMs passes', async () => {
    const verifier = createVerifier({
      ...f.scenario.options,
      replayStore: { addIfAbsent: () => new Promise<boolean>(() => {}) },
      replayStoreTimeoutMs: 100,
    });
    const request = await signedWorkloadRequest(f.scenario);
    const error = await expectWimseError(verifier.verify(request), 'unavailable');
    assert.equal(error.status, 503);
    assert.equal(error.headers['retry-after'], '1');
  });
});

describe('O4: errors reveal a coarse class, never the detail', () => {
  /** One attack per failure class, each with the secrets it carries. */
  async function attacks(): Promise<[string, () => Promise<unknown>, string[]][]> {
    const good = await signCustom(f.scenario, { method: 'POST', target: '/orders', body: '{"a":1}' });
    const secrets = (request: WorkloadRequest & { headers: Record<string, string> }) => [
      request.headers['workload-identity-token'] as string,
      request.headers.signature as string,
      (/:([^:]+):/.exec(request.headers.signature as string)?.[1] ?? '') as string,
      f.scenario.workloadKey.publicJwk.x as string,
    ];
    const attacker = generateTestKey('EdDSA');
    const forged = await f.requestWithWit({ signingKey: generateTestKey('ES256').privateKey });
    const tampered = { ...good, method: 'PUT' };
    const digest = { ...good, body: new TextEncoder().encode('{"a":2}') };
    const other = await signCustom({ wit: f.scenario.wit, workloadKey: attacker });
    const replayVerifier = createVerifier(f.scenario.options);
    const replayed = await signCustom(f.scenario);
    await replayVerifier.verify(replayed);
    const guard = createWorkloadGuard({ verifier: f.scenario.options });
    return [
      ['wit_invalid', () => f.verify(forged), secrets(forged)],
      ['signature_invalid (method)', () => f.verify(tampered), secrets(good)],
      ['signature_invalid (key)', () => f.verify(other), secrets(other)],
      ['digest_mismatch', () => f.verify(digest), [...secrets(good), '{"a":2}']],
      ['replay', () => replayVerifier.verify(replayed), secrets(replayed)],
      [
        'policy_denied',
        async () => {
          const identity = await guard.authenticate(await signCustom(f.scenario), { route: '/admin' });
          return guard.authorize(identity, good, allowWorkloads('wimse://td.example/service/admin'), {
            route: '/admin',
          });
        },
        secrets(good),
      ],
    ];
  }

  it('[O4] the problem object without exposeDetail carries no detail, only the coarse class of its code', async () => {
    for (const [name, run, secrets] of await attacks()) {
      const outcome = await settle(run);
      assert.ok(!outcome.ok && outcome.error instanceof WimseError, `${name} was not refused`);
      const error = outcome.error;
      const problem = error.toProblem();
      assert.deepEqual(Object.keys(problem).sort(), ['code', 'status', 'title', 'type'], name);
      assert.equal(problem.detail, undefined, name);
      assert.equal(problem.title, errorCodes[error.code].title, name);
      assert.notEqual(problem.status, 401, `${name}: 401 is not recommended by the drafts`);
      const rendered = JSON.stringify(problem);
      assert.ok(!rendered.includes(error.message), `${name}: the detailed reason leaked`);
      for (const secret of secrets)
        assert.ok(secret === '' || !rendered.includes(secret), `${name}: a secret is in the problem`);
    }
  });
  it('[O4] the detailed reason (for logs) never contains a token, a signature or a key', async () => {
    for (const [name, run, secrets] of await attacks()) {
      const outcome = await settle(run);
      assert.ok(!outcome.ok && outcome.error instanceof WimseError, name);
      for (const secret of secrets.slice(0, 4)) {
        assert.ok(secret === '' || !outcome.error.message.includes(secret), `${name}: a secret is in the reason`);
      }
    }
  });
  it('[O4] the guard hides detail by default and its audit events carry no secret', async () => {
    const events: AuditEvent[] = [];
    const guard = createWorkloadGuard({ verifier: f.scenario.options, audit: (event) => events.push(event) });
    assert.equal(guard.exposeErrorDetail, false);
    const request = await signCustom(f.scenario);
    await expectWimseError(
      guard.authenticate({ ...request, method: 'DELETE' }, { route: '/orders' }),
      'signature_invalid',
    );
    await guard.authenticate(await signCustom(f.scenario), { route: '/orders' });
    assert.equal(events.length, 2);
    const rendered = JSON.stringify(events);
    for (const secret of [f.scenario.wit, request.headers.signature as string, String(f.scenario.wit.split('.')[2])]) {
      assert.ok(!rendered.includes(secret), 'an audit event carries a token or signature');
    }
  });
  it('[O4] control: exposeDetail is an explicit development switch', () => {
    const error = new WimseError('digest_mismatch', 'Content-Digest sha-256 does not match the body');
    assert.equal(error.toProblem({ exposeDetail: true }).detail, error.message);
  });
});
