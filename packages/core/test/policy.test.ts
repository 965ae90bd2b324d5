import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allOf,
  allowPathPrefix,
  allowTrustDomain,
  allowWorkloads,
  anyOf,
  evaluatePolicy,
  fromDecisionPoint,
  not,
  WimseError,
  type WorkloadIdentity,
  type WorkloadRequest,
} from '@wimse-pep/core';

function identity(id: string): WorkloadIdentity {
  const [, scheme = '', trustDomain = ''] = /^([a-z]+):\/\/([^/]+)/.exec(id) ?? [];
  return {
    id,
    trustDomain,
    origin: `${scheme}://${trustDomain}`,
    claims: { sub: id, jti: 'j' },
    keyThumbprint: 'thumb',
    proof: 'http-signature',
    profile: 'http-sig-07',
    signatureLabel: 'sig1',
    created: 1,
    expires: 61,
    nonce: 'n',
    audience: 'https://svc.example/x',
    signResponse: false,
    coveredComponents: ['"@method"'],
    expiresAt: 100,
  };
}
const request: WorkloadRequest = { method: 'GET', target: '/x', headers: {} };
const allows = async (policy: ReturnType<typeof allowWorkloads>, id: string) =>
  (await policy(identity(id), request)) === true;
const denied = (error: unknown) =>
  error instanceof WimseError && error.code === 'policy_denied' && error.status === 403;

describe('allowWorkloads', () => {
  const policy = allowWorkloads('wimse://td.example/service/pay');
  it('allows the exact identifier', async () =>
    assert.equal(await allows(policy, 'wimse://td.example/service/pay'), true));
  it('denies a child, a sibling and another scheme', async () => {
    assert.equal(await allows(policy, 'wimse://td.example/service/pay/worker'), false);
    assert.equal(await allows(policy, 'wimse://td.example/service/payroll'), false);
    assert.equal(await allows(policy, 'spiffe://td.example/service/pay'), false);
  });
  it('refuses a non-canonical identifier in configuration (C1)', () => {
    assert.throws(() => allowWorkloads('wimse://td.example/service/%70ay'), TypeError);
  });
});

describe('allowTrustDomain', () => {
  const policy = allowTrustDomain('wimse://td.example');
  it('allows every workload of the origin', async () =>
    assert.equal(await allows(policy, 'wimse://td.example/a/b'), true));
  it('denies another scheme or trust domain', async () => {
    assert.equal(await allows(policy, 'spiffe://td.example/a'), false);
    assert.equal(await allows(policy, 'wimse://td.example.evil/a'), false);
  });
});

describe('allowPathPrefix (H1 to H6)', () => {
  const policy = allowPathPrefix('wimse://trust.example/service/pay');
  it('allows the prefix itself and its descendants', async () => {
    assert.equal(await allows(policy, 'wimse://trust.example/service/pay'), true);
    assert.equal(await allows(policy, 'wimse://trust.example/service/pay/worker'), true);
  });
  it('[H1] denies a sibling that shares the characters', async () =>
    assert.equal(await allows(policy, 'wimse://trust.example/service/payroll-attacker'), false));
  it('[H4] denies the same path under another origin', async () => {
    assert.equal(await allows(policy, 'wimse://attacker.example/service/pay/worker'), false);
    assert.equal(await allows(policy, 'spiffe://trust.example/service/pay/worker'), false);
  });
  it('[H5] refuses an empty-path grant at construction', () =>
    assert.throws(() => allowPathPrefix('wimse://trust.example'), TypeError));
  it('[H6] refuses a root-path grant at construction', () =>
    assert.throws(() => allowPathPrefix('wimse://trust.example/'), TypeError));
  it('[H2, H3] refuses dot segments and percent-encoding in a grant', () => {
    assert.throws(() => allowPathPrefix('wimse://trust.example/service/pay/..'), TypeError);
    assert.throws(() => allowPathPrefix('wimse://trust.example/service/%70ay'), TypeError);
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
  it('not inverts', async () => assert.equal(await allows(not(a), 'wimse://td.example/b'), true));
  it('refuses empty lists, which would allow everything or nothing by accident', () => {
    assert.throws(() => allOf(), TypeError);
    assert.throws(() => anyOf(), TypeError);
  });
});

describe('evaluatePolicy fails closed', () => {
  const who = identity('wimse://td.example/a');
  it('resolves for exactly true', async () => {
    await evaluatePolicy(() => true, who, request);
  });
  const cases: [string, Parameters<typeof evaluatePolicy>[0]][] = [
    ['false', () => false],
    ['a truthy non-boolean', () => 'yes' as unknown as boolean],
    ['undefined', () => undefined as unknown as boolean],
    [
      'a throwing policy',
      () => {
        throw new Error('boom');
      },
    ],
    ['a rejected promise', () => Promise.reject(new Error('boom'))],
    ['a policy that never answers', () => new Promise<boolean>(() => {})],
  ];
  for (const [name, policy] of cases) {
    it(`denies ${name}`, async () => {
      await assert.rejects(evaluatePolicy(policy, who, request, { timeoutMs: 50 }), denied);
    });
  }
});

describe('fromDecisionPoint', () => {
  const who = identity('wimse://td.example/a');
  it('passes the subject and request, never a token', async () => {
    let seen: unknown;
    const policy = fromDecisionPoint(
      async (input) => {
        seen = input;
        return true;
      },
      { timeoutMs: 100 },
    );
    assert.equal(await policy(who, request), true);
    assert.deepEqual(seen, {
      subject: who.id,
      trustDomain: 'td.example',
      method: 'GET',
      target: '/x',
      claims: who.claims,
    });
  });
  it('denies on false, on rejection and on timeout, aborting the call', async () => {
    assert.equal(await fromDecisionPoint(async () => false, { timeoutMs: 100 })(who, request), false);
    await assert.rejects(
      evaluatePolicy(
        fromDecisionPoint(() => Promise.reject(new Error('pdp down')), { timeoutMs: 100 }),
        who,
        request,
      ),
      denied,
    );
    let signal: AbortSignal | undefined;
    const hanging = fromDecisionPoint(
      (_input, s) => {
        signal = s;
        return new Promise<boolean>(() => {});
      },
      { timeoutMs: 30 },
    );
    await assert.rejects(evaluatePolicy(hanging, who, request, { timeoutMs: 1000 }), denied);
    assert.equal(signal?.aborted, true);
  });
  it('validates its options once', () => {
    assert.throws(() => fromDecisionPoint(async () => true, { timeoutMs: 0 }), TypeError);
  });
});
