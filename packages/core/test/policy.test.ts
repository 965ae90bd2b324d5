import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allOf,
  allowPathPrefix,
  allowTrustDomain,
  allowWorkloads,
  anyOf,
  type DecisionInput,
  evaluatePolicy,
  fromDecisionPoint,
  not,
  WimseError,
  type WorkloadIdentity,
  type WorkloadPolicy,
  type WorkloadRequest,
} from '@wimse-pep/core';

/** A verified identity as the verifier would return it, for a canonical `id`. */
function identity(id: string): WorkloadIdentity {
  const [, scheme = '', trustDomain = ''] = /^([a-z]+):\/\/([^/]+)/.exec(id) ?? [];
  return {
    id,
    trustDomain,
    origin: `${scheme}://${trustDomain}`,
    issuer: `https://issuer.${trustDomain}`,
    claims: { sub: id, iss: `https://issuer.${trustDomain}`, jti: 'wit-1', exp: 1_900_000_000 },
    keyThumbprint: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    proof: 'http-signature',
    consumedFields: ['workload-identity-token', 'signature-input', 'signature'],
    profile: 'http-sig-07',
    signatureLabel: 'wimse',
    created: 1_800_000_000,
    expires: 1_800_000_060,
    nonce: 'abc123',
    audience: 'https://orders.td.example/orders',
    signResponse: false,
    coveredComponents: ['"@method"', '"@target-uri"', '"workload-identity-token"'],
    expiresAt: 1_900_000_000,
  };
}
const request: WorkloadRequest = { method: 'POST', target: '/orders?id=7', headers: { 'content-type': 'text/plain' } };
const allows = async (policy: WorkloadPolicy, id: string) => (await policy(identity(id), request)) === true;
const denied = (error: unknown) =>
  error instanceof WimseError && error.code === 'policy_denied' && error.status === 403;
/** A policy that records how often it ran. */
function counting(answer: boolean | Promise<boolean>) {
  const policy = Object.assign(
    () => {
      policy.calls++;
      return answer;
    },
    { calls: 0 },
  );
  return policy;
}

describe('allowWorkloads', () => {
  const policy = allowWorkloads('wimse://td.example/service/pay', 'spiffe://td.example/batch');
  it('allows each listed identifier exactly', async () => {
    assert.equal(await allows(policy, 'wimse://td.example/service/pay'), true);
    assert.equal(await allows(policy, 'spiffe://td.example/batch'), true);
  });
  it('denies a child, a sibling, a case variant and another scheme', async () => {
    assert.equal(await allows(policy, 'wimse://td.example/service/pay/worker'), false);
    assert.equal(await allows(policy, 'wimse://td.example/service/payroll'), false);
    assert.equal(await allows(policy, 'wimse://td.example/service/Pay'), false);
    assert.equal(await allows(policy, 'spiffe://td.example/service/pay'), false);
    assert.equal(await allows(policy, 'wimse://td.example/batch'), false);
  });
  it('refuses a non-canonical identifier in configuration (C1, C2, H2)', () => {
    assert.throws(() => allowWorkloads('wimse://td.example/service/%70ay'), TypeError);
    assert.throws(() => allowWorkloads('WIMSE://TD.EXAMPLE/service/pay'), TypeError);
    assert.throws(() => allowWorkloads('wimse://td.example/service/pay/../admin'), TypeError);
    assert.throws(() => allowWorkloads('wimse://td.example/service/pay/'), TypeError);
    assert.throws(() => allowWorkloads('wimse://td.example/ok', 'wimse://td.example:8443/bad'), TypeError);
  });
  it('refuses an empty list', () => assert.throws(() => allowWorkloads(), TypeError));
});

describe('allowTrustDomain', () => {
  const policy = allowTrustDomain('wimse://td.example');
  it('allows every workload of the origin', async () => {
    assert.equal(await allows(policy, 'wimse://td.example/a'), true);
    assert.equal(await allows(policy, 'wimse://td.example/a/b/c'), true);
  });
  it('denies another scheme, a sub-domain and look-alike trust domains', async () => {
    assert.equal(await allows(policy, 'spiffe://td.example/a'), false);
    assert.equal(await allows(policy, 'wimse://sub.td.example/a'), false);
    assert.equal(await allows(policy, 'wimse://td.example.evil/a'), false);
    assert.equal(await allows(policy, 'wimse://evil-td.example/a'), false);
  });
  it('a spiffe grant does not match wimse identities', async () => {
    const spiffe = allowTrustDomain('spiffe://td.example');
    assert.equal(await allows(spiffe, 'spiffe://td.example/a'), true);
    assert.equal(await allows(spiffe, 'wimse://td.example/a'), false);
  });
  it('refuses anything but scheme and trust domain', () => {
    for (const origin of [
      'wimse://td.example/',
      'wimse://td.example/a',
      'wimse://td.example:1',
      'https://td.example',
    ]) {
      assert.throws(() => allowTrustDomain(origin), TypeError, origin);
    }
    assert.throws(() => allowTrustDomain('wimse://TD.example'), TypeError);
  });
});

describe('allowPathPrefix (H1 to H6)', () => {
  const policy = allowPathPrefix('wimse://trust.example/service/pay');
  it('allows the prefix itself and its descendants', async () => {
    assert.equal(await allows(policy, 'wimse://trust.example/service/pay'), true);
    assert.equal(await allows(policy, 'wimse://trust.example/service/pay/worker'), true);
    assert.equal(await allows(policy, 'wimse://trust.example/service/pay/worker/7'), true);
  });
  it('[H1] denies a sibling that shares the characters', async () => {
    assert.equal(await allows(policy, 'wimse://trust.example/service/payroll-attacker'), false);
    assert.equal(await allows(policy, 'wimse://trust.example/service/pay-x/worker'), false);
    assert.equal(await allows(policy, 'wimse://trust.example/service/pa'), false);
  });
  it('denies the parent and a case variant', async () => {
    assert.equal(await allows(policy, 'wimse://trust.example/service'), false);
    assert.equal(await allows(policy, 'wimse://trust.example/service/Pay/worker'), false);
  });
  it('[H4] denies the same path under another origin', async () => {
    assert.equal(await allows(policy, 'wimse://attacker.example/service/pay/worker'), false);
    assert.equal(await allows(policy, 'wimse://trust.example.attacker/service/pay/worker'), false);
    assert.equal(await allows(policy, 'spiffe://trust.example/service/pay/worker'), false);
  });
  it('[H5] refuses an empty-path grant at construction', () =>
    assert.throws(() => allowPathPrefix('wimse://trust.example'), TypeError));
  it('[H6] refuses a root-path grant at construction', () =>
    assert.throws(() => allowPathPrefix('wimse://trust.example/'), TypeError));
  it('[H6 control] the explicit whole-origin grant still works', async () =>
    assert.equal(
      await allows(allowTrustDomain('wimse://trust.example'), 'wimse://trust.example/service/pay/worker'),
      true,
    ));
  it('[H2, H3, C1, C2] refuses non-canonical grants', () => {
    assert.throws(() => allowPathPrefix('wimse://trust.example/service/pay/..'), TypeError);
    assert.throws(() => allowPathPrefix('wimse://trust.example/service/%70ay'), TypeError);
    assert.throws(() => allowPathPrefix('WIMSE://TRUST.EXAMPLE/service/pay'), TypeError);
    assert.throws(() => allowPathPrefix('wimse://trust.example/service/pay/'), TypeError);
    assert.throws(() => allowPathPrefix('wimse://trust.example//pay'), TypeError);
  });
});

describe('combinators', () => {
  const a = allowWorkloads('wimse://td.example/a');
  const b = allowWorkloads('wimse://td.example/b');
  it('anyOf allows when one allows', async () => {
    assert.equal(await allows(anyOf(a, b), 'wimse://td.example/b'), true);
    assert.equal(await allows(anyOf(a, b), 'wimse://td.example/c'), false);
  });
  it('allOf allows only when all allow', async () => {
    assert.equal(await allows(allOf(a, allowTrustDomain('wimse://td.example')), 'wimse://td.example/a'), true);
    assert.equal(await allows(allOf(a, b), 'wimse://td.example/a'), false);
  });
  it('not inverts', async () => {
    assert.equal(await allows(not(a), 'wimse://td.example/b'), true);
    assert.equal(await allows(not(a), 'wimse://td.example/a'), false);
  });
  it('await asynchronous policies', async () => {
    const yes: WorkloadPolicy = async () => true;
    const no: WorkloadPolicy = async () => false;
    assert.equal(await allows(anyOf(no, yes), 'wimse://td.example/x'), true);
    assert.equal(await allows(anyOf(no, no), 'wimse://td.example/x'), false);
    assert.equal(await allows(allOf(yes, yes), 'wimse://td.example/x'), true);
    assert.equal(await allows(allOf(yes, no), 'wimse://td.example/x'), false);
    assert.equal(await allows(not(no), 'wimse://td.example/x'), true);
    assert.equal(await allows(not(yes), 'wimse://td.example/x'), false);
  });
  it('short-circuit: anyOf stops at the first allow, allOf at the first deny', async () => {
    const first = counting(Promise.resolve(true));
    const second = counting(true);
    assert.equal(await allows(anyOf(first, second), 'wimse://td.example/x'), true);
    assert.deepEqual([first.calls, second.calls], [1, 0]);
    const refuse = counting(Promise.resolve(false));
    const after = counting(true);
    assert.equal(await allows(allOf(refuse, after), 'wimse://td.example/x'), false);
    assert.deepEqual([refuse.calls, after.calls], [1, 0]);
  });
  it('only exactly true counts: a truthy non-boolean never allows, even under not', async () => {
    const truthy = (() => 'yes') as unknown as WorkloadPolicy;
    const nothing = (() => undefined) as unknown as WorkloadPolicy;
    assert.equal(await allows(anyOf(truthy), 'wimse://td.example/x'), false);
    assert.equal(await allows(allOf(truthy), 'wimse://td.example/x'), false);
    assert.equal(await allows(not(truthy), 'wimse://td.example/x'), false);
    assert.equal(await allows(not(nothing), 'wimse://td.example/x'), false);
  });
  it('an error propagates and is a denial, also under not', async () => {
    const broken: WorkloadPolicy = () => {
      throw new Error('boom');
    };
    const who = identity('wimse://td.example/a');
    await assert.rejects(evaluatePolicy(not(broken), who, request, { timeoutMs: 1000 }), denied);
    await assert.rejects(evaluatePolicy(anyOf(broken, a), who, request, { timeoutMs: 1000 }), denied);
    await assert.rejects(evaluatePolicy(allOf(a, broken), who, request, { timeoutMs: 1000 }), denied);
  });
  it('refuses empty lists, which would allow everything or nothing by accident', () => {
    assert.throws(() => allOf(), TypeError);
    assert.throws(() => anyOf(), TypeError);
  });
  it('refuses a non-function policy at construction', () => {
    const bogus = true as unknown as WorkloadPolicy;
    assert.throws(() => anyOf(a, bogus), TypeError);
    assert.throws(() => allOf(bogus), TypeError);
    assert.throws(() => not(bogus), TypeError);
  });
});

describe('evaluatePolicy fails closed', () => {
  const who = identity('wimse://td.example/a');
  it('resolves for exactly true, synchronous or asynchronous', async () => {
    await evaluatePolicy(() => true, who, request);
    await evaluatePolicy(async () => true, who, request);
  });
  it('passes the identity and request to the policy', async () => {
    let seen: unknown[] = [];
    await evaluatePolicy(
      (...args) => {
        seen = args;
        return true;
      },
      who,
      request,
    );
    assert.equal(seen[0], who);
    assert.equal(seen[1], request);
  });
  const cases: [string, WorkloadPolicy][] = [
    ['false', () => false],
    ['a promise of false', async () => false],
    ['a truthy non-boolean', () => 'yes' as unknown as boolean],
    ['a promise of a truthy non-boolean', async () => 1 as unknown as boolean],
    ['undefined', () => undefined as unknown as boolean],
    ['a Boolean object', () => new Boolean(true) as unknown as boolean],
    [
      'a throwing policy',
      () => {
        throw new Error('boom');
      },
    ],
    ['a rejected promise', () => Promise.reject(new Error('boom'))],
    [
      'a policy throwing another WimseError',
      () => {
        throw new WimseError('unavailable', 'down');
      },
    ],
    ['a policy that never answers', () => new Promise<boolean>(() => {})],
  ];
  for (const [name, policy] of cases) {
    it(`denies ${name}`, async () => {
      await assert.rejects(evaluatePolicy(policy, who, request, { timeoutMs: 50 }), denied);
    });
  }
  it('keeps the cause of a failure', async () => {
    const boom = new Error('boom');
    await assert.rejects(
      evaluatePolicy(
        () => {
          throw boom;
        },
        who,
        request,
      ),
      (error) => denied(error) && (error as Error).cause === boom,
    );
  });
  it('says that the decision timed out', async () => {
    await assert.rejects(
      evaluatePolicy(() => new Promise<boolean>(() => {}), who, request, { timeoutMs: 20 }),
      (error) => denied(error) && /timed out/.test((error as Error).message),
    );
  });
  it('times out after 1000 ms by default', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let outcome: unknown = 'pending';
    const pending = evaluatePolicy(() => new Promise<boolean>(() => {}), who, request).catch((error) => {
      outcome = error;
    });
    const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
    await flush();
    t.mock.timers.tick(999);
    await flush();
    assert.equal(outcome, 'pending');
    t.mock.timers.tick(1);
    await flush();
    assert.ok(denied(outcome), 'no denial at 1000 ms');
    await pending;
  });
  it('clears its timer once the policy has decided', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = timers();
    await evaluatePolicy(() => true, who, request, { timeoutMs: 60_000 });
    await assert.rejects(
      evaluatePolicy(() => false, who, request, { timeoutMs: 60_000 }),
      denied,
    );
    assert.equal(timers(), before);
  });
  it('refuses a meaningless timeout instead of allowing', async () => {
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(
        evaluatePolicy(() => true, who, request, { timeoutMs }),
        TypeError,
      );
    }
  });
});

describe('fromDecisionPoint', () => {
  const who = identity('wimse://td.example/a');
  it('passes the subject and request, never a token, and allows on true', async () => {
    let seen: DecisionInput | undefined;
    let signal: AbortSignal | undefined;
    const policy = fromDecisionPoint(
      async (input, s) => {
        seen = input;
        signal = s;
        return true;
      },
      { timeoutMs: 1000 },
    );
    assert.equal(await policy(who, request), true);
    assert.deepEqual(seen, {
      subject: who.id,
      trustDomain: 'td.example',
      method: 'POST',
      target: '/orders?id=7',
      claims: who.claims,
    });
    assert.equal(signal?.aborted, false);
    await evaluatePolicy(policy, who, request);
  });
  it('clears its timer once the decision point has answered', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = timers();
    assert.equal(await fromDecisionPoint(async () => true, { timeoutMs: 60_000 })(who, request), true);
    assert.equal(timers(), before);
  });
  it('denies on false and on a truthy non-boolean answer', async () => {
    const no = fromDecisionPoint(async () => false, { timeoutMs: 1000 });
    assert.equal(await no(who, request), false);
    await assert.rejects(evaluatePolicy(no, who, request), denied);
    const truthy = fromDecisionPoint(async () => 'allow' as unknown as boolean, { timeoutMs: 1000 });
    assert.equal(await truthy(who, request), false);
  });
  it('denies when the decision point rejects or throws, keeping the cause', async () => {
    const down = new Error('pdp down');
    await assert.rejects(
      async () => fromDecisionPoint(() => Promise.reject(down), { timeoutMs: 1000 })(who, request),
      (error) => denied(error) && (error as Error).cause === down,
    );
    const throwing = fromDecisionPoint(
      () => {
        throw down;
      },
      { timeoutMs: 1000 },
    );
    await assert.rejects(
      async () => throwing(who, request),
      (error) => denied(error) && (error as Error).cause === down,
    );
  });
  it('denies a decision point that hangs, aborting its signal', async () => {
    let signal: AbortSignal | undefined;
    const hanging = fromDecisionPoint(
      (_input, s) => {
        signal = s;
        return new Promise<boolean>(() => {});
      },
      { timeoutMs: 30 },
    );
    await assert.rejects(
      async () => hanging(who, request),
      (error) => denied(error) && /decision point timed out/.test((error as Error).message),
    );
    assert.equal(signal?.aborted, true);
  });
  it('validates its options once, at construction', () => {
    const ask = async () => true;
    for (const timeoutMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, '100' as unknown as number]) {
      assert.throws(() => fromDecisionPoint(ask, { timeoutMs }), TypeError, String(timeoutMs));
    }
    assert.throws(() => fromDecisionPoint(ask, undefined as unknown as { timeoutMs: number }), TypeError);
    assert.throws(() => fromDecisionPoint('nope' as unknown as typeof ask, { timeoutMs: 10 }), TypeError);
  });
});
