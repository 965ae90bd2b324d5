/**
 * Threat rows C1, C2, IO1, IO2, U1 and H1-H6 (fkautz/wimse-security-counterexamples): every case
 * assumes a validly signed credential; what must fail is the identifier handling, the issuer to
 * origin binding, or authorization. Authorization runs through the guard with the policy helpers,
 * so a denial is the 403 `policy_denied`.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  allowPathPrefix,
  allowTrustDomain,
  allowWorkloads,
  createVerifier,
  createWorkloadGuard,
  not,
  type TrustDomainOptions,
  type VerifierOptions,
  type WorkloadIdentity,
  type WorkloadPolicy,
} from '@wimse-pep/core';
import { generateTestKey, ISSUER, type TestKeyPair } from '../../support/index.js';
import { expectWimseError } from '../helpers.js';
import { type AttackFixture, attackFixture } from './setup.js';

let f: AttackFixture;
let attackerIssuer: TestKeyPair;
let spiffeIssuer: TestKeyPair;
let options: VerifierOptions;
before(async () => {
  f = await attackFixture();
  attackerIssuer = generateTestKey('ES256', 'attacker-1');
  spiffeIssuer = generateTestKey('ES256', 'spiffe-1');
  // td.example: wimse:// by the scenario issuer, spiffe:// by a second issuer; attacker.example is
  // trusted too (it is somebody's legitimate trust domain), with its own issuer.
  const [scenarioDomain] = f.scenario.options.trustDomains;
  const [scenarioIssuer] = scenarioDomain?.issuers ?? [];
  assert.ok(scenarioIssuer);
  options = {
    ...f.scenario.options,
    trustDomains: [
      {
        trustDomain: 'td.example',
        issuers: [
          scenarioIssuer,
          {
            issuer: 'https://spire.td.example',
            origins: ['spiffe://td.example'],
            jwks: { keys: [spiffeIssuer.publicJwk] },
          },
        ],
      },
      {
        trustDomain: 'attacker.example',
        issuers: [{ issuer: 'https://attacker.example', jwks: { keys: [attackerIssuer.publicJwk] } }],
      },
    ],
  };
});

const route = { route: '/pay' };
const guard = (policyTimeoutMs = 200) => createWorkloadGuard({ verifier: createVerifier(options), policyTimeoutMs });

/** Authenticates a request whose WIT asserts `sub`, minted by the issuer that owns its origin. */
async function authenticate(sub: string): Promise<WorkloadIdentity> {
  const request = await requestAs(sub);
  const identity = await guard().authenticate(request, route);
  assert.ok(identity);
  return identity;
}
async function requestAs(sub: string, issuer?: { key: TestKeyPair; kid: string; iss: string }) {
  const chosen =
    issuer ??
    (sub.startsWith('spiffe://')
      ? { key: spiffeIssuer, kid: 'spiffe-1', iss: 'https://spire.td.example' }
      : sub.startsWith('wimse://attacker.example')
        ? { key: attackerIssuer, kid: 'attacker-1', iss: 'https://attacker.example' }
        : { key: f.scenario.issuerKey, kid: 'issuer-1', iss: ISSUER });
  return f.requestWithWit({ sub, issuerKey: chosen.key, kid: chosen.kid, iss: chosen.iss });
}
async function decide(identity: WorkloadIdentity, policy: WorkloadPolicy, timeoutMs?: number): Promise<void> {
  return guard(timeoutMs).authorize(identity, { method: 'POST', target: '/pay', headers: {} }, policy, route);
}
const denied = (run: Promise<void>) => expectWimseError(run, 'policy_denied', { status: 403 });

describe('C1, C2: canonical identifiers, compared byte for byte', () => {
  it('[C1] a percent-encoded sub never reaches the policy that grants the decoded name', async () => {
    let consulted = false;
    const grant = allowWorkloads('wimse://td.example/service/payment');
    const policy: WorkloadPolicy = (identity, request) => {
      consulted = true;
      return grant(identity, request);
    };
    const request = await requestAs('wimse://td.example/service/%70ayment');
    const g = guard();
    const handle = async () => g.authorize(await g.authenticate(request, route), request, policy, route);
    await expectWimseError(handle(), 'identifier_invalid', { status: 400 });
    assert.equal(consulted, false);
  });
  it('[C1] control: the canonical identifier is allowed by the same grant', async () => {
    await decide(
      await authenticate('wimse://td.example/service/payment'),
      allowWorkloads('wimse://td.example/service/payment'),
    );
  });
  for (const sub of [
    'WIMSE://TD.EXAMPLE/service/%70ayment',
    'wimse://TD.EXAMPLE/service/payment',
    'Wimse://td.example/service/payment',
    'wimse://td.example./service/payment',
    'wimse://td.example/service//payment',
    'wimse://td.example/service/./payment',
    'wimse://td.example:443/service/payment',
    'wimse://user@td.example/service/payment',
    'wimse://td.example/service/p\u0430yment',
    'wimse://td.example/service/payment/',
  ]) {
    it(`[C2] the non-canonical ${JSON.stringify(sub)} is refused, never normalised`, async () => {
      await expectWimseError(f.verify(await requestAs(sub)), 'identifier_invalid');
    });
  }
  it('[C2] a grant written in a non-canonical form is a configuration error', () => {
    assert.throws(() => allowWorkloads('WIMSE://TD.EXAMPLE/service/payment'), TypeError);
    assert.throws(() => allowWorkloads('wimse://td.example/service/%70ayment'), TypeError);
  });
});

describe('IO1, IO2: the (scheme, trust domain) of sub must be bound to the issuer that signed it', () => {
  it('[IO1] an issuer bound to spiffe://td.example only cannot assert wimse://td.example', async () => {
    const request = await requestAs('wimse://td.example/service/payment', {
      key: spiffeIssuer,
      kid: 'spiffe-1',
      iss: 'https://spire.td.example',
    });
    await expectWimseError(f.verify(request, options), 'untrusted_issuer');
  });
  it('[IO1] the wimse:// issuer cannot assert spiffe://td.example', async () => {
    const request = await requestAs('spiffe://td.example/service/payment', {
      key: f.scenario.issuerKey,
      kid: 'issuer-1',
      iss: ISSUER,
    });
    await expectWimseError(f.verify(request, options), 'untrusted_issuer');
  });
  it('[IO1] an unknown scheme fails closed', async () => {
    for (const sub of ['https://td.example/service/payment', 'urn:td.example:payment', 'spiffe+wimse://td.example/x']) {
      await expectWimseError(f.verify(await requestAs(sub), options), 'identifier_invalid');
    }
  });
  it('[IO2] the attacker.example issuer asserting wimse://td.example is refused', async () => {
    const request = await requestAs('wimse://td.example/service/admin', {
      key: attackerIssuer,
      kid: 'attacker-1',
      iss: 'https://attacker.example',
    });
    await expectWimseError(f.verify(request, options), 'untrusted_issuer');
    // Even with the td.example iss and the td.example kid, the attacker's key does not verify.
    const sneaky = await requestAs('wimse://td.example/service/admin', {
      key: attackerIssuer,
      kid: 'issuer-1',
      iss: ISSUER,
    });
    await expectWimseError(f.verify(sneaky, options), 'wit_invalid');
  });
  it('[IO2] control: each issuer asserting its own origin is allowed', async () => {
    assert.equal(
      (await f.verify(await requestAs('wimse://attacker.example/service/x'), options)).id,
      'wimse://attacker.example/service/x',
    );
    assert.equal(
      (await f.verify(await requestAs('spiffe://td.example/service/x'), options)).id,
      'spiffe://td.example/service/x',
    );
  });
});

describe('U1: one origin, one issuer (configuration)', () => {
  const k1 = generateTestKey('ES256', 'a').publicJwk;
  const k2 = generateTestKey('ES256', 'b').publicJwk;
  const verifierWith = (trustDomains: TrustDomainOptions[]) => () =>
    createVerifier({ trustDomains, audiences: ['https://orders.example'] });
  it('[U1] two issuers asserting the same origin are refused at start-up', () => {
    assert.throws(
      verifierWith([{ trustDomain: 'example.org', issuers: [{ jwks: { keys: [k1] } }, { jwks: { keys: [k2] } }] }]),
      TypeError,
    );
    assert.throws(
      verifierWith([
        {
          trustDomain: 'example.org',
          issuers: [
            { jwks: { keys: [k1] }, origins: ['wimse://example.org', 'spiffe://example.org'] },
            { jwks: { keys: [k2] }, origins: ['spiffe://example.org'] },
          ],
        },
      ]),
      /origins must be origins no other issuer is bound to/,
    );
  });
  it('[U1] one trust domain listed twice (two allocation authorities) is refused', () => {
    assert.throws(
      verifierWith([
        { trustDomain: 'example.org', issuers: [{ jwks: { keys: [k1] } }] },
        { trustDomain: 'example.org', issuers: [{ jwks: { keys: [k2] }, origins: ['spiffe://example.org'] }] },
      ]),
      TypeError,
    );
  });
  it('[U1] an issuer claiming an origin outside its trust domain is refused', () => {
    assert.throws(
      verifierWith([
        { trustDomain: 'example.org', issuers: [{ jwks: { keys: [k1] } }] },
        { trustDomain: 'other.example', issuers: [{ jwks: { keys: [k2] }, origins: ['wimse://example.org'] }] },
      ]),
      TypeError,
    );
  });
  it('[U1] control: disjoint origins in one trust domain are accepted', () => {
    assert.ok(
      verifierWith([
        {
          trustDomain: 'example.org',
          issuers: [{ jwks: { keys: [k1] } }, { jwks: { keys: [k2] }, origins: ['spiffe://example.org'] }],
        },
      ])(),
    );
  });
});

describe('H1-H6: hierarchical grants', () => {
  const pay = 'wimse://td.example/service/pay';
  it('[H1] a sibling with the grant as a string prefix (payroll-attacker) is denied', async () => {
    await denied(decide(await authenticate('wimse://td.example/service/payroll-attacker'), allowPathPrefix(pay)));
    await denied(decide(await authenticate('wimse://td.example/service/pay-attacker'), allowPathPrefix(pay)));
  });
  it('[H1] control: the grant itself and its descendants are allowed', async () => {
    await decide(await authenticate(pay), allowPathPrefix(pay));
    await decide(await authenticate('wimse://td.example/service/pay/worker'), allowPathPrefix(pay));
  });
  it('[H2] a dot-segment escape is refused at authentication, before any grant', async () => {
    for (const sub of ['wimse://td.example/service/pay/../admin', 'wimse://td.example/service/pay/./worker']) {
      await expectWimseError(guard().authenticate(await requestAs(sub), route), 'identifier_invalid', { status: 400 });
    }
    assert.throws(() => allowPathPrefix('wimse://td.example/service/pay/..'), TypeError);
  });
  it('[H3] an encoded dot-segment or slash is refused at authentication', async () => {
    for (const sub of [
      'wimse://td.example/service/pay/%2e%2e/admin',
      'wimse://td.example/service/pay/%2E%2E/admin',
      'wimse://td.example/service/pay%2f..%2fadmin',
    ]) {
      await expectWimseError(guard().authenticate(await requestAs(sub), route), 'identifier_invalid');
    }
    assert.throws(() => allowPathPrefix('wimse://td.example/service/pay%2fadmin'), TypeError);
  });
  it('[H4] the same path in another origin is denied', async () => {
    await denied(decide(await authenticate('wimse://attacker.example/service/pay/worker'), allowPathPrefix(pay)));
    await denied(decide(await authenticate('spiffe://td.example/service/pay/worker'), allowPathPrefix(pay)));
    await denied(
      decide(await authenticate('spiffe://td.example/service/pay/worker'), allowTrustDomain('wimse://td.example')),
    );
  });
  it('[H5] an empty-path grant fails closed at configuration; the whole origin needs the explicit grant', async () => {
    assert.throws(() => allowPathPrefix('wimse://td.example'), TypeError);
    const worker = await authenticate('wimse://td.example/service/pay/worker');
    await decide(worker, allowTrustDomain('wimse://td.example'));
    await denied(
      decide(await authenticate('wimse://attacker.example/service/pay/worker'), allowTrustDomain('wimse://td.example')),
    );
  });
  it('[H6] a root-path grant fails closed at configuration', () => {
    assert.throws(() => allowPathPrefix('wimse://td.example/'), TypeError);
    assert.throws(() => allowPathPrefix('wimse://td.example//'), TypeError);
  });
  it('[H6] controls: the authorised descendant is allowed; a disabled or broken policy denies', async () => {
    const worker = await authenticate('wimse://td.example/service/pay/worker');
    await decide(worker, allowPathPrefix(pay));
    const broken: [string, WorkloadPolicy][] = [
      ['disabled (false)', () => false],
      ['inverted grant', not(allowPathPrefix(pay))],
      ['a truthy non-boolean', (() => 'yes') as unknown as WorkloadPolicy],
      ['undefined', (() => undefined) as unknown as WorkloadPolicy],
      [
        'a throwing policy',
        () => {
          throw new Error('policy store down');
        },
      ],
      ['a rejected promise', () => Promise.reject(new Error('down'))],
      ['a policy that never answers', () => new Promise<boolean>(() => {})],
    ];
    for (const [name, policy] of broken) {
      await denied(decide(worker, policy, 50)).catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
    }
  });
  it('[H6] an absent identity (optional route, no credentials) is denied by any grant', async () => {
    await expectWimseError(
      guard().authorize(
        undefined,
        { method: 'GET', target: '/', headers: {} },
        allowTrustDomain('wimse://td.example'),
        route,
      ),
      'policy_denied',
      { status: 403 },
    );
  });
});

describe('the signed request reaching authorization is the verified one', () => {
  it('[H1] the identity seen by the policy is the WIT sub, unchanged', async () => {
    const seen: string[] = [];
    const identity = await authenticate('wimse://td.example/service/pay/worker');
    await decide(identity, (id) => {
      seen.push(id.id);
      return true;
    });
    assert.deepEqual(seen, ['wimse://td.example/service/pay/worker']);
  });
});
