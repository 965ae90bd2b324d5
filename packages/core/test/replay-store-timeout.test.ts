import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type AuditEvent,
  createVerifier,
  createWorkloadGuard,
  MemoryReplayStore,
  type ReplayStore,
  WimseError,
  type WimseErrorCode,
} from '@wimse-pep/core';
import { createScenario, NOW_SEC, type Scenario, signCustom } from '../../../test/support/index.js';
import { rejectsWith } from './helpers.js';

let scenario: Scenario;
before(async () => {
  scenario = await createScenario();
});

describe('the verifier bounds every replay store call in time (threat O6)', () => {
  it('a store that never answers gives 503 unavailable with Retry-After once the timeout passes', async () => {
    let calls = 0;
    const silent: ReplayStore = {
      addIfAbsent: () => {
        calls++;
        return new Promise<boolean>(() => {});
      },
    };
    const verifier = createVerifier({ ...scenario.options, replayStore: silent, replayStoreTimeoutMs: 50 });
    const error = await rejectsWith(verifier.verify(await signCustom(scenario)), 'unavailable');
    assert.equal(error.status, 503);
    assert.equal(error.headers['retry-after'], '1');
    assert.match(error.message, /50 ms/);
    assert.equal(calls, 1);
  });

  it('the default timeout applies without any option (a silent store still ends in 503)', async () => {
    const verifier = createVerifier({ ...scenario.options, replayStore: { addIfAbsent: () => new Promise(() => {}) } });
    assert.equal(verifier.settings.replayStoreTimeoutMs, 1000);
    await rejectsWith(verifier.verify(await signCustom(scenario)), 'unavailable');
  });

  it('a store that answers in time is used as usual', async () => {
    const memory = new MemoryReplayStore({ now: scenario.options.now });
    const slow: ReplayStore = {
      addIfAbsent: (nonce, expiresAtMs, createdAtMs) =>
        new Promise((resolve) => setTimeout(() => resolve(memory.addIfAbsent(nonce, expiresAtMs, createdAtMs)), 5)),
    };
    const verifier = createVerifier({ ...scenario.options, replayStore: slow, replayStoreTimeoutMs: 2000 });
    const request = await signCustom(scenario);
    assert.ok(await verifier.verify(request));
    await rejectsWith(verifier.verify(request), 'replay');
  });

  it('a store that throws synchronously, or answers something else than a boolean, is refused, never accepted', async () => {
    const throwing = createVerifier({
      ...scenario.options,
      replayStore: {
        addIfAbsent: () => {
          throw new Error('boom');
        },
      },
    });
    await rejectsWith(throwing.verify(await signCustom(scenario)), 'unavailable');
    const vague = createVerifier({
      ...scenario.options,
      replayStore: { addIfAbsent: async () => 'yes' as unknown as boolean },
    });
    await rejectsWith(vague.verify(await signCustom(scenario)), 'unavailable');
  });

  it("passes on a store's own 503 refusal with its Retry-After", async () => {
    const verifier = createVerifier({
      ...scenario.options,
      replayStore: {
        addIfAbsent: async () => {
          throw new WimseError('unavailable', 'redis is down', { headers: { 'Retry-After': '7' } });
        },
      },
    });
    const error = await rejectsWith(verifier.verify(await signCustom(scenario)), 'unavailable');
    assert.deepEqual(error.headers, { 'Retry-After': '7' });
  });

  it('a store that answers synchronously (addIfAbsentSync) is asked that way, without waiting on addIfAbsent', async () => {
    const memory = new MemoryReplayStore({ now: scenario.options.now });
    let asyncCalls = 0;
    const synchronous: ReplayStore = {
      addIfAbsent: () => {
        asyncCalls++;
        return new Promise<boolean>(() => {});
      },
      addIfAbsentSync: (nonce, expiresAtMs, createdAtMs, nowMs) =>
        memory.addIfAbsentSync(nonce, expiresAtMs, createdAtMs, nowMs),
    };
    const verifier = createVerifier({ ...scenario.options, replayStore: synchronous, replayStoreTimeoutMs: 50 });
    const request = await signCustom(scenario);
    assert.ok(await verifier.verify(request));
    await rejectsWith(verifier.verify(request), 'replay');
    assert.equal(asyncCalls, 0);
    assert.equal(memory.size, 1);
  });

  it('a synchronous answer that throws or is not a boolean is refused with 503; its own 503 is passed on', async () => {
    const cases: [ReplayStore['addIfAbsentSync'], WimseErrorCode, Record<string, string>][] = [
      [
        () => {
          throw new Error('boom');
        },
        'unavailable',
        { 'retry-after': '1' },
      ],
      [() => 'yes' as unknown as boolean, 'unavailable', { 'retry-after': '1' }],
      [
        () => {
          throw new WimseError('replay_capacity', 'full', { headers: { 'retry-after': '9' } });
        },
        'replay_capacity',
        { 'retry-after': '9' },
      ],
    ];
    for (const [addIfAbsentSync, code, headers] of cases) {
      const verifier = createVerifier({
        ...scenario.options,
        replayStore: { addIfAbsent: async () => true, addIfAbsentSync },
      });
      const error = await rejectsWith(verifier.verify(await signCustom(scenario)), code);
      assert.equal(error.status, 503);
      assert.deepEqual(error.headers, headers);
    }
  });

  it('refuses an addIfAbsentSync that is not a function, naming replayStore', () => {
    assert.throws(
      () =>
        createVerifier({
          ...scenario.options,
          replayStore: { addIfAbsent: async () => true, addIfAbsentSync: 'yes' } as unknown as ReplayStore,
        }),
      (error: unknown) => error instanceof TypeError && error.message.includes('replayStore'),
    );
  });

  it('validates replayStoreTimeoutMs once, naming the field', () => {
    for (const bad of [0, -1, 1.5, 60_001, Number.NaN]) {
      assert.throws(
        () => createVerifier({ ...scenario.options, replayStoreTimeoutMs: bad }),
        (error: unknown) => error instanceof TypeError && error.message.includes('replayStoreTimeoutMs'),
      );
    }
  });
});

describe('a full in-memory store refuses honestly, through the normal refusal path', () => {
  it('replay_capacity (503, Retry-After) for a fresh nonce, an audit event with that code, and replays still replays', async () => {
    // One caller fills the whole store here: its share is the whole store.
    const replayStore = new MemoryReplayStore({ max: 2, maxPerCaller: 2, now: scenario.options.now });
    const events: AuditEvent[] = [];
    const guard = createWorkloadGuard({
      verifier: { ...scenario.options, replayStore },
      audit: (event) => events.push(event),
    });
    const route = { route: '/orders' };
    const first = await signCustom(scenario, {}, { params: { created: NOW_SEC - 5 } });
    await guard.authenticate(first, route);
    await guard.authenticate(await signCustom(scenario), route);
    const error = await rejectsWith(guard.authenticate(await signCustom(scenario), route), 'replay_capacity');
    assert.equal(error.status, 503);
    assert.ok(Number(error.headers['retry-after']) >= 1);
    const last = events.at(-1);
    assert.equal(last?.decision, 'deny');
    assert.equal(last?.code, 'replay_capacity');
    await rejectsWith(guard.authenticate(first, route), 'replay');
  });
});
