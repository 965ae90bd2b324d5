import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { type SignRequestOptions, signRequest } from '@wimse-pep/client';
import { type AuditEvent, createVerifier } from '@wimse-pep/core';
import request, { type Response } from 'supertest';
import {
  AUDIENCE,
  CALLER_ID,
  generateTestKey,
  NOW_SEC,
  now,
  type Scenario,
  TRUST_DOMAIN,
  witFor,
} from '../support/index.js';
import { ADMIN_ID, type AppConfig, SERVER_ID } from './harness.js';
import type { SigningSetup } from './signing-config.js';

/**
 * THE shared case table: every case runs against every framework harness (adapters.test.ts), on a
 * real server through supertest. Requests are signed for `${AUDIENCE}${path}` while supertest
 * connects to 127.0.0.1: the audience comes from configuration, never from Host. Every refusal
 * asserts the status and the problem code.
 */

export type ServerConfig = Partial<Pick<AppConfig, 'bodyParser' | 'parserPosition' | 'bodyLimit' | 'bodyTimeoutMs'>> & {
  /** The verifier's `signatureVerification` (default: the verifier's default, the thread pool). */
  readonly signatureVerification?: 'inline' | 'thread-pool';
  readonly signing?: SigningSetup;
  /** The verifier's `wpt` option: `false` turns Workload Proof Tokens off (default: accepted). */
  readonly wpt?: false;
};

export interface CaseContext {
  readonly scenario: Scenario;
  /** A listening server of the harness (default: json parser after the middleware); cached per config. */
  server(config?: ServerConfig): Promise<Server>;
  /** Audit events of every server of this harness, emptied before each case. */
  readonly events: AuditEvent[];
}

export interface AdapterCase {
  readonly name: string;
  run(context: CaseContext): Promise<void>;
}

type Method = 'GET' | 'POST' | 'DELETE';

export interface Outgoing {
  readonly method: Method;
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body?: Uint8Array | undefined;
}

/** Signs a request the way a calling workload would (client package, the scenario's fixed clock). */
export async function signed(
  scenario: Pick<Scenario, 'wit' | 'workloadKey'>,
  init: { method?: Method; path?: string; headers?: Record<string, string>; body?: string } = {},
  options: SignRequestOptions = {},
): Promise<Outgoing & { headers: Record<string, string> }> {
  const method = init.method ?? 'GET';
  const path = init.path ?? '/orders?id=7';
  const result = await signRequest(
    { method, url: `${AUDIENCE}${path}`, headers: init.headers ?? {}, body: init.body },
    { wit: scenario.wit, privateKey: scenario.workloadKey.privateKey },
    { now, ...options },
  );
  return { method, path, headers: result.headers, body: result.body };
}

export async function send(server: Server, message: Outgoing): Promise<Response> {
  const agent = request(server);
  let test =
    message.method === 'GET'
      ? agent.get(message.path)
      : message.method === 'POST'
        ? agent.post(message.path)
        : agent.delete(message.path);
  // An array is sent as one field line per element (Node's setHeader), which the typings do not say.
  for (const [name, value] of Object.entries(message.headers)) test = test.set(name, value as string);
  // The bytes exactly as signed: superagent would otherwise re-serialize a Buffer as JSON or a form.
  if (message.body !== undefined)
    test = test.serialize((bytes: unknown) => bytes as string).send(Buffer.from(message.body));
  return await test;
}

/** An RFC 9457 problem with the core's status and code, and no detail (threat O4). */
export function expectProblem(response: Response, status: number, code: string): void {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status} ${response.text}`);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json\b/);
  const problem = JSON.parse(response.text) as Record<string, unknown>;
  assert.equal(problem.status, status);
  assert.equal(problem.code, code);
  assert.equal(problem.type, `https://www.npmjs.com/package/@wimse-pep/core#${code.replaceAll('_', '-')}`);
  assert.equal(typeof problem.title, 'string');
  if (status !== 500) assert.equal(problem.detail, undefined, 'the reason is not exposed by default');
}

export function expectOk(response: Response, workload: string | null, body: unknown = null): void {
  assert.equal(response.status, 200, `expected 200, got ${response.status} ${response.text}`);
  assert.deepEqual(response.body, { workload, body });
}

function without(headers: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}

/** Sends `message` to the default server and expects the refusal. */
async function refused(context: CaseContext, message: Outgoing, status: number, code: string) {
  expectProblem(await send(await context.server(), message), status, code);
}

// ---------------------------------------------------------------------------------------------
// Bodies: every parser, before and after the middleware.

const parsers: readonly AppConfig['bodyParser'][] = ['json', 'urlencoded', 'raw', 'none'];
const positions: readonly AppConfig['parserPosition'][] = ['before', 'after'];

const bodies: Record<AppConfig['bodyParser'], { type: string; text: string; parsed: unknown; tampered: string }> = {
  json: {
    type: 'application/json',
    text: '{"amount":125,"currency":"EUR"}',
    parsed: { amount: 125, currency: 'EUR' },
    tampered: '{"amount":999,"currency":"EUR"}',
  },
  urlencoded: {
    type: 'application/x-www-form-urlencoded',
    text: 'amount=125&currency=EUR',
    parsed: { amount: '125', currency: 'EUR' },
    tampered: 'amount=999&currency=EUR',
  },
  raw: {
    type: 'application/octet-stream',
    text: 'opaque bytes \u00e9\u00e8',
    parsed: 'opaque bytes \u00e9\u00e8',
    tampered: 'opaque bytes \u00e9\u00e9',
  },
  none: { type: 'text/plain', text: 'nobody parses me', parsed: null, tampered: 'nobody parses us' },
};

const bodyCases: AdapterCase[] = parsers.flatMap((bodyParser) =>
  positions.flatMap((parserPosition): AdapterCase[] => {
    const { type, text, parsed, tampered } = bodies[bodyParser];
    const config = { bodyParser, parserPosition };
    const signedPost = (scenario: Scenario) =>
      signed(scenario, { method: 'POST', path: '/orders', headers: { 'content-type': type }, body: text });
    return [
      {
        name: `POST with a ${bodyParser} body, parser ${parserPosition}: verified, and the app's parser still works`,
        async run(context) {
          const message = await signedPost(context.scenario);
          expectOk(await send(await context.server(config), message), CALLER_ID, parsed);
        },
      },
      {
        // Verified on the event loop, the body is asked for before the HTTP parser has marked the
        // request complete (its bytes are all buffered already): taken at once, still parsed.
        name: `POST with a ${bodyParser} body, parser ${parserPosition}, inline verification: verified, and the app's parser still works`,
        async run(context) {
          const message = await signedPost(context.scenario);
          const server = await context.server({ ...config, signatureVerification: 'inline' });
          expectOk(await send(server, message), CALLER_ID, parsed);
          const response = await send(server, { ...message, body: new TextEncoder().encode(tampered) });
          expectProblem(response, 400, 'digest_mismatch');
        },
      },
      {
        name: `POST with a ${bodyParser} body, parser ${parserPosition}: a tampered body under the original digest is 400 digest_mismatch`,
        async run(context) {
          const message = await signedPost(context.scenario);
          const response = await send(await context.server(config), {
            ...message,
            body: new TextEncoder().encode(tampered),
          });
          expectProblem(response, 400, 'digest_mismatch');
          assert.deepEqual(
            context.events.map((event) => [event.decision, event.code]),
            [['deny', 'digest_mismatch']],
          );
        },
      },
    ];
  }),
);

// ---------------------------------------------------------------------------------------------

export const cases: readonly AdapterCase[] = [
  {
    name: 'GET: the handler sees the verified identity',
    async run(context) {
      const response = await send(await context.server(), await signed(context.scenario));
      expectOk(response, CALLER_ID);
    },
  },
  {
    name: 'GET without a body, the query exactly as received (percent-encoding kept)',
    async run(context) {
      const message = await signed(context.scenario, { path: '/orders?q=a%20b&sort=-date&x=%2F' });
      assert.equal(message.body, undefined);
      expectOk(await send(await context.server(), message), CALLER_ID);
    },
  },
  ...bodyCases,
  {
    name: 'a body over bodyLimit is 413 body_too_large, audited as a denial',
    async run(context) {
      const message = await signed(context.scenario, {
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pad: 'x'.repeat(2000) }),
      });
      expectProblem(await send(await context.server({ bodyLimit: 256 }), message), 413, 'body_too_large');
      assert.deepEqual(
        context.events.map((event) => [event.decision, event.code]),
        [['deny', 'body_too_large']],
      );
    },
  },
  {
    name: 'a body within bodyLimit passes',
    async run(context) {
      const body = { pad: 'x'.repeat(100) };
      const message = await signed(context.scenario, {
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expectOk(await send(await context.server({ bodyLimit: 256 }), message), CALLER_ID, body);
    },
  },

  // Failure classes of the core, each with its status and code.
  {
    name: 'no Workload-Identity-Token: 400 wit_missing',
    async run(context) {
      const message = await signed(context.scenario);
      await refused(
        context,
        { ...message, headers: without(message.headers, 'workload-identity-token') },
        400,
        'wit_missing',
      );
    },
  },
  {
    name: 'no credentials at all on a required route without WPTs: 400 wit_missing',
    async run(context) {
      const server = await context.server({ wpt: false });
      expectProblem(await send(server, { method: 'GET', path: '/orders', headers: {} }), 400, 'wit_missing');
    },
  },
  {
    name: 'no credentials on a route that accepts WPTs: 401 credentials_missing, WWW-Authenticate WPT, Accept-Signature',
    async run(context) {
      const response = await send(await context.server(), { method: 'GET', path: '/orders?id=7', headers: {} });
      expectProblem(response, 401, 'credentials_missing');
      assert.equal(
        response.headers['www-authenticate'],
        'WPT',
        'a challenge for exactly the Authorization schemes accepted',
      );
      assert.equal(
        response.headers['accept-signature'],
        `sig1=("@method" "@path" "@query" "workload-identity-token");created;expires;tag="wimse-workload-to-workload";wimse-aud="${AUDIENCE}/orders"`,
      );
    },
  },
  {
    name: 'no credentials: the 400 carries Accept-Signature naming the -07 components, tag and audience',
    async run(context) {
      const server = await context.server({ wpt: false });
      const response = await send(server, { method: 'GET', path: '/orders?id=7', headers: {} });
      expectProblem(response, 400, 'wit_missing');
      assert.equal(response.headers['www-authenticate'], undefined, 'no challenge with a 400');
      assert.equal(
        response.headers['accept-signature'],
        `sig1=("@method" "@path" "@query" "workload-identity-token");created;expires;tag="wimse-workload-to-workload";wimse-aud="${AUDIENCE}/orders"`,
      );
    },
  },
  {
    name: 'a body signed without Content-Digest coverage: Accept-Signature asks for content-type and content-digest',
    async run(context) {
      const message = await signed(context.scenario);
      const response = await send(await context.server(), {
        ...message,
        method: 'POST',
        path: '/orders?id=7',
        headers: { ...message.headers, 'content-type': 'application/json' },
        body: new TextEncoder().encode('{"a":1}'),
      });
      assert.equal(response.status, 400);
      assert.match(
        String(response.headers['accept-signature']),
        /^sig1=\("@method" "@path" "@query" "workload-identity-token" "content-type" "content-digest"\);created;expires;tag="wimse-workload-to-workload"/,
      );
    },
  },
  {
    name: 'a forged WIT is refused without Accept-Signature (no hint for a forgery)',
    async run(context) {
      const attacker = generateTestKey('ES256');
      const wit = await witFor(context.scenario, { signingKey: attacker.privateKey });
      const response = await send(await context.server(), await signed({ ...context.scenario, wit }));
      expectProblem(response, 400, 'wit_invalid');
      assert.equal(response.headers['accept-signature'], undefined);
    },
  },
  {
    name: 'a WIT that is not a compact JWT: 400 wit_malformed',
    async run(context) {
      const message = await signed(context.scenario);
      await refused(
        context,
        { ...message, headers: { ...message.headers, 'workload-identity-token': 'not-a-jwt' } },
        400,
        'wit_malformed',
      );
    },
  },
  {
    name: 'two Workload-Identity-Token field lines: 400 wit_malformed',
    async run(context) {
      const message = await signed(context.scenario);
      const wit = context.scenario.wit;
      await refused(
        context,
        { ...message, headers: { ...message.headers, 'workload-identity-token': [wit, wit] } },
        400,
        'wit_malformed',
      );
    },
  },
  {
    name: 'a WIT forged with another key (valid proof of possession): 400 wit_invalid',
    async run(context) {
      const attacker = generateTestKey('ES256');
      const wit = await witFor(context.scenario, { signingKey: attacker.privateKey });
      await refused(context, await signed({ ...context.scenario, wit }), 400, 'wit_invalid');
    },
  },
  {
    name: 'an expired WIT: 400 wit_expired',
    async run(context) {
      const wit = await witFor(context.scenario, { iat: NOW_SEC - 7200, exp: NOW_SEC - 3600 });
      await refused(context, await signed({ ...context.scenario, wit }), 400, 'wit_expired');
    },
  },
  {
    name: 'a WIT whose iss is not the issuer bound to its trust domain: 400 untrusted_issuer',
    async run(context) {
      const wit = await witFor(context.scenario, { iss: 'https://issuer.attacker.example' });
      await refused(context, await signed({ ...context.scenario, wit }), 400, 'untrusted_issuer');
    },
  },
  {
    name: 'no Signature / Signature-Input: 400 signature_missing',
    async run(context) {
      const message = await signed(context.scenario);
      await refused(
        context,
        { ...message, headers: without(message.headers, 'signature', 'signature-input') },
        400,
        'signature_missing',
      );
    },
  },
  {
    name: 'a Signature that is not a structured-field dictionary: 400 signature_malformed',
    async run(context) {
      const message = await signed(context.scenario);
      await refused(
        context,
        { ...message, headers: { ...message.headers, signature: '%%%' } },
        400,
        'signature_malformed',
      );
    },
  },
  {
    name: 'an expired signature: 400 signature_expired',
    async run(context) {
      const message = await signed(context.scenario, {}, { now: () => now() - 600_000 });
      await refused(context, message, 400, 'signature_expired');
    },
  },
  {
    name: 'wimse-aud naming another service: 400 audience_mismatch',
    async run(context) {
      const message = await signed(context.scenario, {}, { audience: 'https://payments.internal.example/orders' });
      await refused(context, message, 400, 'audience_mismatch');
    },
  },
  {
    name: 'a signed GET sent as DELETE: 400 signature_invalid',
    async run(context) {
      const message = await signed(context.scenario);
      await refused(context, { ...message, method: 'DELETE' }, 400, 'signature_invalid');
    },
  },
  {
    name: 'a query changed after signing: 400 signature_invalid',
    async run(context) {
      const message = await signed(context.scenario, { path: '/orders?id=7' });
      await refused(context, { ...message, path: '/orders?id=8' }, 400, 'signature_invalid');
    },
  },
  {
    name: 'the same signed request twice: 200 then 400 replay',
    async run(context) {
      const server = await context.server();
      const message = await signed(context.scenario);
      expectOk(await send(server, message), CALLER_ID);
      expectProblem(await send(server, message), 400, 'replay');
    },
  },
  {
    name: 'a body added to a request signed without one: 400 signature_profile (content-digest not covered)',
    async run(context) {
      const message = await signed(context.scenario, { method: 'POST', path: '/orders' });
      const response = await send(await context.server(), {
        ...message,
        headers: { ...message.headers, 'content-type': 'application/json' },
        body: new TextEncoder().encode('{"smuggled":true}'),
      });
      expectProblem(response, 400, 'signature_profile');
    },
  },
  {
    name: 'a body whose Content-Digest field was stripped: 400 digest_missing',
    async run(context) {
      const message = await signed(context.scenario, {
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      });
      await refused(
        context,
        { ...message, headers: without(message.headers, 'content-digest') },
        400,
        'digest_missing',
      );
    },
  },

  // Policies.
  {
    name: 'policy allow: the admin workload reaches /admin',
    async run(context) {
      const wit = await witFor(context.scenario, { sub: ADMIN_ID });
      const response = await send(
        await context.server(),
        await signed({ ...context.scenario, wit }, { path: '/admin' }),
      );
      expectOk(response, ADMIN_ID);
      assert.deepEqual(
        context.events.map((event) => [event.stage, event.decision, event.workloadId]),
        [
          ['authentication', 'allow', ADMIN_ID],
          ['authorization', 'allow', ADMIN_ID],
        ],
      );
    },
  },
  {
    name: 'policy deny: another workload on /admin is 403 policy_denied',
    async run(context) {
      expectProblem(
        await send(await context.server(), await signed(context.scenario, { path: '/admin' })),
        403,
        'policy_denied',
      );
      assert.deepEqual(
        context.events.map((event) => [event.stage, event.decision, event.code]),
        [
          ['authentication', 'allow', undefined],
          ['authorization', 'deny', 'policy_denied'],
        ],
      );
    },
  },
  {
    name: 'a decision point that never answers: 403 policy_denied after the timeout',
    async run(context) {
      const started = Date.now();
      expectProblem(
        await send(await context.server(), await signed(context.scenario, { path: '/pdp' })),
        403,
        'policy_denied',
      );
      assert.ok(Date.now() - started < 5000);
    },
  },

  // Protection modes.
  {
    name: 'mode off: /public without credentials is 200 with no workload, and no audit event',
    async run(context) {
      expectOk(await send(await context.server(), { method: 'GET', path: '/public', headers: {} }), null);
      assert.equal(context.events.length, 0);
    },
  },
  {
    name: 'mode off: /public ignores even invalid credentials',
    async run(context) {
      const headers = { 'workload-identity-token': 'junk', signature: 'junk', 'signature-input': 'junk' };
      expectOk(await send(await context.server(), { method: 'GET', path: '/public', headers }), null);
    },
  },
  {
    name: 'mode optional: /maybe without credentials is 200 with no workload',
    async run(context) {
      expectOk(await send(await context.server(), { method: 'GET', path: '/maybe', headers: {} }), null);
    },
  },
  {
    name: 'mode optional: /maybe with valid credentials attaches the identity',
    async run(context) {
      expectOk(await send(await context.server(), await signed(context.scenario, { path: '/maybe' })), CALLER_ID);
    },
  },
  {
    name: 'mode optional: /maybe with invalid credentials is still refused',
    async run(context) {
      const message = await signed(context.scenario, { path: '/maybe' });
      await refused(context, { ...message, method: 'GET', path: '/maybe?tampered=1' }, 400, 'signature_invalid');
      await refused(
        context,
        { ...message, headers: { ...message.headers, 'workload-identity-token': 'junk' } },
        400,
        'wit_malformed',
      );
    },
  },

  // Audit.
  {
    name: 'audit: one allow event with the identity fields',
    async run(context) {
      expectOk(await send(await context.server(), await signed(context.scenario)), CALLER_ID);
      assert.equal(context.events.length, 1);
      const [event] = context.events;
      assert.ok(event);
      assert.equal(event.stage, 'authentication');
      assert.equal(event.decision, 'allow');
      assert.equal(event.method, 'GET');
      assert.equal(event.route, '/orders');
      assert.equal(event.workloadId, CALLER_ID);
      assert.equal(event.trustDomain, TRUST_DOMAIN);
      assert.match(event.keyThumbprint ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(event.witJtiHash ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok(!Number.isNaN(Date.parse(event.time)));
      assert.equal(event.code, undefined);
    },
  },
  {
    name: 'audit: one deny event with the code and reason',
    async run(context) {
      const message = await signed(context.scenario);
      expectProblem(await send(await context.server(), { ...message, method: 'DELETE' }), 400, 'signature_invalid');
      assert.equal(context.events.length, 1);
      const [event] = context.events;
      assert.ok(event);
      assert.equal(event.stage, 'authentication');
      assert.equal(event.decision, 'deny');
      assert.equal(event.method, 'DELETE');
      assert.equal(event.code, 'signature_invalid');
      assert.equal(typeof event.reason, 'string');
      assert.equal(event.workloadId, undefined);
    },
  },
  {
    name: 'no audit event, problem body or log line contains the WIT or the Signature value',
    async run(context) {
      const server = await context.server();
      const seen: string[] = [];
      const restore = captureConsole(seen);
      try {
        const ok = await signed(context.scenario);
        const secrets = [context.scenario.wit, signatureBytes(ok.headers.signature)];
        const attempts: Outgoing[] = [
          ok,
          ok, // replay
          { ...ok, method: 'DELETE' },
          await signed(context.scenario, { path: '/admin' }),
          await signed(context.scenario, { path: '/maybe' }),
        ];
        for (const attempt of attempts) {
          const response = await send(server, attempt);
          seen.push(response.text, JSON.stringify(response.headers));
          secrets.push(signatureBytes(attempt.headers.signature));
        }
        const tampered = await signed(context.scenario, {
          method: 'POST',
          path: '/orders',
          headers: { 'content-type': 'application/json' },
          body: '{"a":1}',
        });
        secrets.push(signatureBytes(tampered.headers.signature));
        const response = await send(server, { ...tampered, body: new TextEncoder().encode('{"a":2}') });
        seen.push(response.text);
        seen.push(...context.events.map((event) => JSON.stringify(event)));
        assert.ok(context.events.length >= 6);
        for (const text of seen) {
          for (const secret of secrets)
            assert.ok(!text.includes(secret), `a secret leaked into: ${text.slice(0, 200)}`);
        }
      } finally {
        restore();
      }
    },
  },
  // -------------------------------------------------------------------------------------------
  // Signed responses (the callee side of R5): signed when asked, 501 when it cannot be done.
  {
    name: 'signed response: signed with the service WIT when the caller asks, and verifiable by the caller',
    async run(context) {
      const message = await signed(context.scenario, {}, { signResponse: true });
      const response = await send(await context.server({ signing: 'requested' }), message);
      expectOk(response, CALLER_ID);
      const responder = await createVerifier(context.scenario.options).verifyResponse(
        {
          status: response.status,
          headers: response.headers as Record<string, string>,
          body: Buffer.from(response.text),
        },
        { method: message.method, target: message.path, headers: message.headers },
        { requestNonce: nonceOf(message.headers), expectedId: SERVER_ID },
      );
      assert.equal(responder.id, SERVER_ID);
      assert.ok(responder.coveredComponents.includes('"content-digest"'));
    },
  },
  {
    name: 'signed response: not signed when the caller does not ask',
    async run(context) {
      const response = await send(await context.server({ signing: 'requested' }), await signed(context.scenario));
      expectOk(response, CALLER_ID);
      assert.equal(response.headers.signature, undefined);
    },
  },
  {
    name: 'signed response: 501 before the handler when asked and signing is not configured',
    async run(context) {
      const message = await signed(
        context.scenario,
        { method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
        { signResponse: true },
      );
      expectProblem(await send(await context.server(), message), 501, 'response_signing_unavailable');
    },
  },
  {
    name: 'signed response: 501, never an unsigned success, when the signing key cannot be used',
    async run(context) {
      const message = await signed(context.scenario, {}, { signResponse: true });
      const response = await send(await context.server({ signing: 'failing' }), message);
      expectProblem(response, 501, 'response_signing_unavailable');
      assert.equal(response.headers.signature, undefined);
    },
  },
];

/** The `nonce` parameter of a request's Signature-Input. */
function nonceOf(headers: Record<string, string>): string {
  const match = /;nonce="([^"]+)"/.exec(headers['signature-input'] ?? '');
  assert.ok(match?.[1]);
  return match[1];
}

/** The base64 inside `sig1=:...:`. */
function signatureBytes(field: string | string[] | undefined): string {
  const match = /:([A-Za-z0-9+/=]+):/.exec(String(field));
  assert.ok(match?.[1]);
  return match[1];
}

function captureConsole(into: string[]): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = methods.map((name) => console[name]);
  for (const name of methods) {
    console[name] = (...args: unknown[]) => {
      into.push(args.map((arg) => (typeof arg === 'string' ? arg : safeJson(arg))).join(' '));
    };
  }
  return () => {
    methods.forEach((name, index) => {
      console[name] = originals[index] as (typeof console)[typeof name];
    });
  };
}

function safeJson(value: unknown): string {
  try {
    return value instanceof Error ? `${value.stack} ${JSON.stringify(value)}` : JSON.stringify(value);
  } catch {
    return String(value);
  }
}
