import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createDevCertificateAuthority } from '@wimse-pep/cli';
import {
  type AuditEvent,
  allowWorkloads,
  createVerifier,
  createWorkloadGuard,
  fromDecisionPoint,
  type VerifierOptions,
  WimseError,
} from '@wimse-pep/core';
import { CALLER_ID, createScenario, type Scenario, signedWorkloadRequest } from '../../../test/support/index.js';
import { rejectsWith } from './helpers.js';

let scenario: Scenario;
before(async () => {
  scenario = await createScenario();
});

function guardWithAudit(mode?: 'required' | 'optional' | 'off', verifier: Partial<VerifierOptions> = {}) {
  const events: AuditEvent[] = [];
  const guard = createWorkloadGuard({
    verifier: { ...scenario.options, ...verifier },
    audit: (event) => events.push(event),
    ...(mode ? { mode } : {}),
  });
  return { guard, events };
}
const route = { route: '/orders' };

describe('createWorkloadGuard: protection modes', () => {
  it('required: authenticates and emits one allow event', async () => {
    const { guard, events } = guardWithAudit();
    const identity = await guard.authenticate(await signedWorkloadRequest(scenario), route);
    assert.equal(identity?.id, CALLER_ID);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.decision, 'allow');
    assert.equal(events[0]?.workloadId, CALLER_ID);
    assert.equal(events[0]?.trustDomain, 'td.example');
    assert.equal(events[0]?.route, '/orders');
    assert.match(events[0]?.witJtiHash ?? '', /^[A-Za-z0-9_-]{43}$/);
  });
  it('required: a request without credentials is denied with one deny event', async () => {
    const { guard, events } = guardWithAudit('required', { wpt: false });
    const error = await rejectsWith(
      guard.authenticate({ method: 'GET', target: '/orders', headers: {} }, route),
      'wit_missing',
    );
    assert.equal(error.status, 400);
    assert.equal(error.headers['www-authenticate'], undefined, 'a 400 carries no challenge');
    assert.match(
      error.headers['Accept-Signature'] ?? '',
      /^sig1=\("@method" "@path" "@query" "workload-identity-token"\)/,
    );
    assert.deepEqual(
      events.map((event) => [event.decision, event.code, event.proof]),
      [['deny', 'wit_missing', 'none']],
    );
  });
  it('required, WPTs accepted (the default): no credentials is 401 credentials_missing challenging WPT only', async () => {
    const { guard, events } = guardWithAudit();
    const error = await rejectsWith(
      guard.authenticate({ method: 'GET', target: '/orders', headers: {} }, route),
      'credentials_missing',
    );
    assert.equal(error.status, 401);
    assert.equal(error.headers['www-authenticate'], 'WPT', 'RFC 9110: every 401 names the schemes it accepts');
    assert.match(error.headers['Accept-Signature'] ?? '', /^sig1=/, 'and what to sign for an HTTP signature');
    assert.deepEqual(
      events.map((event) => [event.decision, event.code]),
      [['deny', 'credentials_missing']],
    );
  });
  it('a mutual-TLS-only trust setup: no credentials is 400 certificate_missing', async () => {
    const ca = await createDevCertificateAuthority({ trustDomain: 'td.example' });
    const verifier = createVerifier({
      trustDomains: [{ trustDomain: 'td.example', x509Authorities: [ca.certificatePem] }],
      audiences: scenario.options.audiences,
    });
    const guard = createWorkloadGuard({ verifier });
    await rejectsWith(
      guard.authenticate({ method: 'GET', target: '/orders', headers: {} }, route),
      'certificate_missing',
    );
  });
  it('optional: no credentials means no identity; invalid credentials are still refused', async () => {
    const { guard } = guardWithAudit('optional');
    assert.equal(await guard.authenticate({ method: 'GET', target: '/x', headers: {} }, route), undefined);
    const request = await signedWorkloadRequest(scenario);
    await rejectsWith(guard.authenticate({ ...request, method: 'DELETE' }, route), 'signature_invalid');
    assert.equal((await guard.authenticate(await signedWorkloadRequest(scenario), route))?.id, CALLER_ID);
  });
  it('off: credentials are ignored, per route too', async () => {
    const { guard, events } = guardWithAudit();
    assert.equal(
      await guard.authenticate(
        { method: 'GET', target: '/x', headers: { 'workload-identity-token': 'junk' } },
        { route: '/x', mode: 'off' },
      ),
      undefined,
    );
    assert.equal(events.length, 0);
  });
  it('reads the body only where it will verify it, and audits a refusal while reading it', async () => {
    const { guard, events } = guardWithAudit('required', { wpt: false });
    let reads = 0;
    const reader = async () => {
      reads++;
      return undefined;
    };
    const anonymous = { method: 'POST', target: '/x', headers: { 'content-type': 'text/plain' } };
    assert.equal(await guard.authenticate(anonymous, { route: '/x', mode: 'optional' }, reader), undefined);
    assert.equal(await guard.authenticate(anonymous, { route: '/x', mode: 'off' }, reader), undefined);
    assert.equal(reads, 0);
    const tooLarge = () => {
      reads++;
      return Promise.reject(new WimseError('body_too_large', 'the request body exceeds 10 bytes'));
    };
    // Without credentials the body is never read: the refusal is about the missing WIT.
    await rejectsWith(guard.authenticate(anonymous, route, tooLarge), 'wit_missing');
    assert.equal(reads, 0);
    // With valid credentials the body is read last, and a refusal while reading it is audited.
    await rejectsWith(guard.authenticate(await signedWorkloadRequest(scenario), route, tooLarge), 'body_too_large');
    assert.equal(reads, 1);
    assert.deepEqual(
      events.map((event) => [event.decision, event.code]),
      [
        ['deny', 'wit_missing'],
        ['deny', 'body_too_large'],
      ],
    );
  });
  it('a header record with a value that is no field line is refused inside the audited decision (503)', async () => {
    const { guard, events } = guardWithAudit();
    const signed = await signedWorkloadRequest(scenario);
    const request = { ...signed, headers: { ...signed.headers, 'x-count': 5 as unknown as string } };
    await rejectsWith(guard.authenticate(request, route), 'unavailable');
    assert.deepEqual(
      events.map((event) => [event.decision, event.code]),
      [['deny', 'unavailable']],
    );
  });
  it('refuses an unknown mode at construction', () => {
    assert.throws(() => createWorkloadGuard({ verifier: scenario.options, mode: 'maybe' as never }), TypeError);
  });
});

describe('createWorkloadGuard: authorization and failures', () => {
  it('a policy allow and deny each emit an authorization event', async () => {
    const { guard, events } = guardWithAudit();
    const request = await signedWorkloadRequest(scenario);
    const identity = await guard.authenticate(request, route);
    await guard.authorize(identity, request, allowWorkloads(CALLER_ID), route);
    await rejectsWith(
      guard.authorize(identity, request, allowWorkloads('wimse://td.example/service/admin'), route),
      'policy_denied',
    );
    assert.deepEqual(
      events.map((event) => [event.stage, event.decision, event.code]),
      [
        ['authentication', 'allow', undefined],
        ['authorization', 'allow', undefined],
        ['authorization', 'deny', 'policy_denied'],
      ],
    );
  });
  it('a decision point that never answers denies', async () => {
    const guard = createWorkloadGuard({ verifier: scenario.options, policyTimeoutMs: 50 });
    const request = await signedWorkloadRequest(scenario);
    const identity = await guard.authenticate(request, route);
    const pdp = fromDecisionPoint(() => new Promise<boolean>(() => {}), { timeoutMs: 30 });
    const error = await rejectsWith(guard.authorize(identity, request, pdp, route), 'policy_denied');
    assert.equal(error.status, 403);
  });
  it('no identity on a route with a policy is a denial', async () => {
    const { guard } = guardWithAudit('optional');
    await rejectsWith(
      guard.authorize(undefined, { method: 'GET', target: '/', headers: {} }, () => true, route),
      'policy_denied',
    );
  });
  it('an unexpected failure becomes 503 unavailable, never an allow', async () => {
    const guard = createWorkloadGuard({ verifier: { verify: () => Promise.reject(new Error('bug')) } as never });
    // Credentials are presented, so the (faulty) verifier is asked; missing ones are decided before it.
    const error = await rejectsWith(
      guard.authenticate({ method: 'GET', target: '/', headers: { 'workload-identity-token': 'a.b.c' } }, route),
      'unavailable',
    );
    assert.equal(error.status, 503);
  });
  it('a throwing audit sink does not change the decision', async () => {
    const guard = createWorkloadGuard({
      verifier: scenario.options,
      audit: () => {
        throw new Error('sink down');
      },
    });
    assert.equal((await guard.authenticate(await signedWorkloadRequest(scenario), route))?.id, CALLER_ID);
  });
  it('accepts a pino-compatible logger and never logs the token or signature', async () => {
    const lines: string[] = [];
    const logger = {
      info: (object: { wimse: AuditEvent }, message?: string) => lines.push(JSON.stringify({ ...object, message })),
      warn: (object: { wimse: AuditEvent }, message?: string) => lines.push(JSON.stringify({ ...object, message })),
    };
    const guard = createWorkloadGuard({ verifier: scenario.options, audit: logger });
    const request = await signedWorkloadRequest(scenario);
    await guard.authenticate(request, route);
    await rejectsWith(guard.authenticate(request, route), 'replay');
    assert.equal(lines.length, 2);
    assert.equal(JSON.parse(lines[1] ?? '{}').wimse.code, 'replay');
    const signature = request.headers.signature?.split(':')[1] ?? 'x';
    for (const line of lines) {
      assert.ok(!line.includes(scenario.wit), 'the WIT must not be logged');
      assert.ok(!line.includes(scenario.wit.split('.')[2] ?? 'x'), 'the WIT signature must not be logged');
      assert.ok(!line.includes(signature), 'the request signature must not be logged');
    }
  });
});

describe('createWorkloadGuard: signed responses', () => {
  const response = { status: 200, headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode('ok') };
  const serverCredentials = async () => {
    const { generateTestKey, mintWit, NOW_SEC, ISSUER } = await import('../../../test/support/index.js');
    const key = generateTestKey('EdDSA');
    const wit = await mintWit({
      issuerKey: scenario.issuerKey,
      kid: 'issuer-1',
      sub: 'wimse://td.example/service/orders',
      cnfJwk: key.publicJwk,
      iat: NOW_SEC - 60,
      exp: NOW_SEC + 3600,
      iss: ISSUER,
    });
    return { wit, privateKey: key.privateKey };
  };

  it('refuses with 501 before any handler when a signed response is required but not configured', async () => {
    const guard = createWorkloadGuard({ verifier: scenario.options });
    const request = await signedWorkloadRequest(scenario, {}, { signResponse: true });
    const error = await rejectsWith(guard.authenticate(request, route), 'response_signing_unavailable');
    assert.equal(error.status, 501);
  });
  it('signs when the caller asks, and the caller verifies the signature', async () => {
    const credentials = await serverCredentials();
    const guard = createWorkloadGuard({ verifier: scenario.options, responseSigning: { credentials } });
    const request = await signedWorkloadRequest(scenario, {}, { signResponse: true });
    const identity = await guard.authenticate(request, route);
    const added = await guard.signResponse(identity, request, response);
    assert.ok(added?.signature);
    const responder = await createVerifier(scenario.options).verifyResponse(
      { ...response, headers: { ...response.headers, ...added } },
      request,
      { requestNonce: identity?.proof === 'http-signature' ? identity.nonce : '' },
    );
    assert.equal(responder.id, 'wimse://td.example/service/orders');
  });
  it("does not sign when not asked in 'requested' mode, and signs every verified response in 'always' mode", async () => {
    const credentials = await serverCredentials();
    const requested = createWorkloadGuard({ verifier: scenario.options, responseSigning: { credentials } });
    const plain = await signedWorkloadRequest(scenario);
    assert.equal(await requested.signResponse(await requested.authenticate(plain, route), plain, response), undefined);
    const always = createWorkloadGuard({
      verifier: scenario.options,
      responseSigning: { credentials, when: 'always' },
    });
    const other = await signedWorkloadRequest(scenario);
    assert.ok((await always.signResponse(await always.authenticate(other, route), other, response))?.signature);
    assert.equal(await always.signResponse(undefined, other, response), undefined);
  });
  it('turns a signing failure into 501, never an unsigned success', async () => {
    const guard = createWorkloadGuard({
      verifier: scenario.options,
      responseSigning: { credentials: () => Promise.reject(new Error('key store down')) },
    });
    const request = await signedWorkloadRequest(scenario, {}, { signResponse: true });
    const identity = await guard.authenticate(request, route);
    await rejectsWith(guard.signResponse(identity, request, response), 'response_signing_unavailable');
  });
  it('validates static credentials at construction', () => {
    assert.throws(() =>
      createWorkloadGuard({
        verifier: scenario.options,
        responseSigning: { credentials: { wit: 'a.b.c', privateKey: {} } },
      }),
    );
  });
});

describe('createWorkloadGuard: credentials over plain HTTP (threat O3)', () => {
  const plain = (remoteAddress: string | undefined, encrypted = false) => ({ remoteAddress, encrypted });
  it('by default refuses credentials from a peer that is not on loopback, before verifying them', async () => {
    const { guard, events } = guardWithAudit();
    const request = await signedWorkloadRequest(scenario);
    for (const address of ['10.1.2.3', '::ffff:192.0.2.7', '2001:db8::1']) {
      const error = await rejectsWith(
        guard.authenticate({ ...request, transport: plain(address) }, route),
        'transport_insecure',
      );
      assert.equal(error.status, 400);
    }
    assert.deepEqual(
      events.map((event) => [event.decision, event.code, event.proof]),
      Array(3).fill(['deny', 'transport_insecure', 'http-signature']),
    );
    // The same request over TLS, from loopback, or from a unix socket (no address) is verified.
    assert.equal((await guard.authenticate({ ...request, transport: plain('10.1.2.3', true) }, route))?.id, CALLER_ID);
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.9', undefined]) {
      const fresh = await signedWorkloadRequest(scenario);
      assert.equal((await guard.authenticate({ ...fresh, transport: plain(address) }, route))?.id, CALLER_ID);
    }
  });
  it('accepts declared hops (addresses, CIDR ranges, the mTLS trusted proxies) and any peer with "any"', async () => {
    const guard = createWorkloadGuard({
      verifier: { ...scenario.options, mtls: { trustedProxies: ['192.0.2.10'] } },
      plainHttpFrom: ['10.0.0.0/8', '2001:db8::/32'],
    });
    for (const address of ['10.9.8.7', '2001:db8::5', '192.0.2.10']) {
      const request = await signedWorkloadRequest(scenario);
      assert.equal((await guard.authenticate({ ...request, transport: plain(address) }, route))?.id, CALLER_ID);
    }
    await rejectsWith(
      guard.authenticate({ ...(await signedWorkloadRequest(scenario)), transport: plain('127.0.0.1') }, route),
      'transport_insecure',
    );
    const open = createWorkloadGuard({ verifier: scenario.options, plainHttpFrom: ['any'] });
    const request = await signedWorkloadRequest(scenario);
    assert.equal((await open.authenticate({ ...request, transport: plain('203.0.113.9') }, route))?.id, CALLER_ID);
  });
  it('refuses a malformed plainHttpFrom at construction, naming the entry', () => {
    for (const [value, message] of [
      [[], /plainHttpFrom must be a non-empty array/],
      [['10.0.0.0/33'], /plainHttpFrom\[0\] must be an IP address, a CIDR range/],
      [['example.com'], /plainHttpFrom\[0\] must be/],
      [[42], /plainHttpFrom\[0\] must be/],
      ['loopback', /plainHttpFrom must be a non-empty array/],
    ] as const) {
      assert.throws(() => createWorkloadGuard({ verifier: scenario.options, plainHttpFrom: value as never }), {
        name: 'TypeError',
        message,
      });
    }
  });
});
