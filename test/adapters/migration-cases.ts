import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type {
  AuditEvent,
  MemoryMigrationStore,
  MigrationOptions,
  MigrationReport,
  MigrationStore,
} from '@wimse-pep/core';
import type { Response } from 'supertest';
import {
  BEARER_AUDIENCE,
  BEARER_ISSUER,
  CALLER_ID,
  generateTestKey,
  mintBearer,
  NOW_SEC,
  type Scenario,
  type TestKeyPair,
  witFor,
} from '../support/index.js';
import { expectProblem, type Outgoing, send, signed } from './cases.js';
import { ADMIN_ID } from './harness.js';

/**
 * THE migration case table (issue 8): every case runs against Express, Fastify, Koa and NestJS
 * (migration.test.ts) on real servers through supertest, with real keys. The routes under /m/ are
 * MIGRATION_ROUTES (harness.ts); /orders is a route without a migration setting (the guard's
 * global mode, `wit-required`).
 */

export const OTHER_ID = 'wimse://td.example/service/other';
export const LEGACY_ID = 'wimse://td.example/service/legacy';
export const TEAM_B_PREFIX = 'wimse://td.example/team-b';
export const TEAM_B_MEMBER = 'wimse://td.example/team-b/api';
export const TEAM_BX = 'wimse://td.example/team-bx';
export const BEARER_ONLY_ID = 'wimse://td.example/service/no-wit-yet';
export const LATE_ID = 'wimse://td.example/service/late';
export const GUIDE_URL = 'https://docs.internal.example/wit-migration';
export const SUNSET_MS = (NOW_SEC + 30 * 86_400) * 1000;
export const DEPRECATED_AT_MS = (NOW_SEC - 86_400) * 1000;

/** The servers a case can ask for; each is built once per framework. */
export type MigrationServerName =
  | 'modes' // global wit-required, sunset in 30 days, guide URL, realm
  | 'callers' // per-caller rules
  | 'twin-a' // twin-a and twin-b: two guards sharing one store
  | 'twin-b'
  | 'solo' // its own store
  | 'grace' // ratchet with a 60 s grace period, on a clock the case moves
  | 'report-only' // dual-send mismatch reported, not refused
  | 'hanging'; // a store that never answers

export interface MigrationEnvironment {
  readonly bearerKey: TestKeyPair;
  readonly stores: Readonly<
    Record<'modes' | 'callers' | 'twin' | 'solo' | 'grace' | 'reportOnly', MemoryMigrationStore>
  >;
  /** The verifier clock of every migration server, in ms; cases that move it put it back. */
  readonly clock: { ms: number };
}

export function migrationOptionsFor(name: MigrationServerName, env: MigrationEnvironment): MigrationOptions {
  const bearer = {
    jwt: {
      issuer: BEARER_ISSUER,
      audience: BEARER_AUDIENCE,
      jwks: { keys: [env.bearerKey.publicJwk] },
    },
    origins: ['wimse://td.example'],
  };
  switch (name) {
    case 'modes':
      return {
        bearer,
        store: env.stores.modes,
        guideUrl: GUIDE_URL,
        sunset: new Date(SUNSET_MS),
        deprecatedAt: new Date(DEPRECATED_AT_MS),
        realm: 'orders',
      };
    case 'callers':
      return {
        bearer,
        store: env.stores.callers,
        callers: [
          { workloads: [LEGACY_ID], mode: 'either' },
          { pathPrefix: TEAM_B_PREFIX, mode: 'wit-required' },
          { workloads: [BEARER_ONLY_ID], mode: 'bearer-only' },
          { workloads: [LATE_ID], mode: 'either', sunset: new Date((NOW_SEC - 60) * 1000).toISOString() },
        ],
      };
    case 'twin-a':
    case 'twin-b':
      return { bearer, store: env.stores.twin };
    case 'solo':
      return { bearer, store: env.stores.solo };
    case 'grace':
      return { bearer, store: env.stores.grace, ratchet: { graceSec: 60 } };
    case 'report-only':
      return { bearer, store: env.stores.reportOnly, subjectMismatch: 'report' };
    case 'hanging':
      return { bearer, store: hangingStore(), storeTimeoutMs: 50 };
  }
}

function hangingStore(): MigrationStore {
  const never = () => new Promise<never>(() => {});
  return { recordUse: never, get: never, list: never, reset: never };
}

export interface MigrationCaseContext {
  readonly scenario: Scenario;
  readonly env: MigrationEnvironment;
  server(name?: MigrationServerName): Promise<Server>;
  /** Audit events of every server of this harness, emptied before each case. */
  readonly events: AuditEvent[];
}

export interface MigrationCase {
  readonly name: string;
  run(context: MigrationCaseContext): Promise<void>;
}

/** A bearer JWT for `sub` from the configured bearer issuer. */
function bearerFor(
  context: MigrationCaseContext,
  sub = CALLER_ID,
  overrides: Partial<Parameters<typeof mintBearer>[0]> = {},
) {
  return mintBearer({ key: context.env.bearerKey, sub, ...overrides });
}

/** A request carrying only `Authorization: Bearer`. */
async function bearerRequest(context: MigrationCaseContext, path: string, sub = CALLER_ID): Promise<Outgoing> {
  return { method: 'GET', path, headers: { authorization: `Bearer ${await bearerFor(context, sub)}` } };
}

/** A WIT-signed request for `sub` (the scenario's workload key), optionally with a bearer token beside it. */
async function witRequest(
  context: MigrationCaseContext,
  path: string,
  options: { sub?: string; bearer?: string } = {},
): Promise<Outgoing> {
  const wit = options.sub === undefined ? context.scenario.wit : await witFor(context.scenario, { sub: options.sub });
  const headers: Record<string, string> =
    options.bearer === undefined ? {} : { authorization: `Bearer ${options.bearer}` };
  return signed({ wit, workloadKey: context.scenario.workloadKey }, { path, headers });
}

interface Answer {
  readonly workload: string | null;
  readonly proof: string | null;
  readonly bearer: string | null;
  readonly mismatch: boolean | null;
}

function expectAnswer(response: Response, expected: Partial<Answer>): void {
  assert.equal(response.status, 200, `expected 200, got ${response.status} ${response.text}`);
  const body = response.body as Answer;
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(body[key as keyof Answer], value, key);
}

/** A 401 bearer refusal per RFC 6750: problem+json with the code, and a Bearer challenge. */
function expectBearerRefusal(response: Response, code: string, error = 'invalid_token'): void {
  expectProblem(response, code === 'bearer_malformed' ? 400 : 401, code);
  const challenge = String(response.headers['www-authenticate']);
  assert.match(challenge, new RegExp(`^Bearer (?:realm="orders", )?error="${error}"`), challenge);
}

function expectNoDeprecation(response: Response): void {
  assert.equal(response.headers.deprecation, undefined);
  assert.equal(response.headers.sunset, undefined);
}

const lastAuthentication = (events: readonly AuditEvent[]) =>
  [...events].reverse().find((event) => event.stage === 'authentication');

export const migrationCases: readonly MigrationCase[] = [
  // ---- mode `either`
  {
    name: 'either: bearer only is accepted, with Deprecation, Sunset and Link to the guide',
    async run(context) {
      const response = await send(await context.server(), await bearerRequest(context, '/m/either'));
      expectAnswer(response, { workload: CALLER_ID, proof: 'bearer' });
      assert.equal(response.headers.deprecation, `@${DEPRECATED_AT_MS / 1000}`);
      assert.equal(response.headers.sunset, new Date(SUNSET_MS).toUTCString());
      assert.equal(
        response.headers.link,
        `<${GUIDE_URL}>; rel="deprecation"; type="text/html", <${GUIDE_URL}>; rel="sunset"; type="text/html"`,
      );
      const event = lastAuthentication(context.events);
      assert.equal(event?.proof, 'bearer');
      assert.equal(event?.migrationMode, 'either');
      assert.equal(event?.decision, 'allow');
    },
  },
  {
    name: 'either: WIT only is accepted, with no deprecation headers',
    async run(context) {
      const response = await send(await context.server(), await witRequest(context, '/m/either'));
      expectAnswer(response, { workload: CALLER_ID, proof: 'http-signature', bearer: null });
      expectNoDeprecation(response);
      assert.equal(lastAuthentication(context.events)?.proof, 'http-signature');
    },
  },
  {
    name: 'either: dual send with matching subjects: the identity is the WIT, the bearer is context',
    async run(context) {
      const message = await witRequest(context, '/m/either', { bearer: await bearerFor(context) });
      const response = await send(await context.server(), message);
      expectAnswer(response, { workload: CALLER_ID, proof: 'http-signature', bearer: CALLER_ID, mismatch: false });
      expectNoDeprecation(response);
      assert.deepEqual(lastAuthentication(context.events)?.dualSend, { bearerWorkloadId: CALLER_ID, mismatch: false });
    },
  },
  {
    name: 'either: dual send with a bearer token of another workload: 401 bearer_subject_mismatch',
    async run(context) {
      const message = await witRequest(context, '/m/either', { bearer: await bearerFor(context, OTHER_ID) });
      expectBearerRefusal(await send(await context.server(), message), 'bearer_subject_mismatch');
    },
  },
  {
    name: 'either (report-only): a dual-send mismatch is reported on the identity and in audit',
    async run(context) {
      const message = await witRequest(context, '/m/either', { bearer: await bearerFor(context, OTHER_ID) });
      const response = await send(await context.server('report-only'), message);
      expectAnswer(response, { workload: CALLER_ID, proof: 'http-signature', bearer: OTHER_ID, mismatch: true });
      assert.deepEqual(lastAuthentication(context.events)?.dualSend, { bearerWorkloadId: OTHER_ID, mismatch: true });
    },
  },
  {
    name: 'either: dual send whose signature does not cover the Authorization added later: 400 signature_profile',
    async run(context) {
      const message = await witRequest(context, '/m/either');
      const tampered = {
        ...message,
        headers: { ...message.headers, authorization: `Bearer ${await bearerFor(context)}` },
      };
      expectProblem(await send(await context.server(), tampered), 400, 'signature_profile');
    },
  },
  {
    name: 'either: neither credential: 401 credentials_missing challenging Bearer and WPT (no unregistered scheme), with Accept-Signature',
    async run(context) {
      const response = await send(await context.server(), { method: 'GET', path: '/m/either', headers: {} });
      expectProblem(response, 401, 'credentials_missing');
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="orders", WPT realm="orders"');
      assert.match(
        String(response.headers['accept-signature']),
        /^sig1=\("@method" "@path" "@query" "workload-identity-token"\)/,
      );
    },
  },
  {
    name: 'either: a bearer token with a bad signature: 401 bearer_invalid (RFC 6750 invalid_token)',
    async run(context) {
      const forged = await mintBearer({ key: generateTestKey('ES256'), sub: CALLER_ID });
      const response = await send(await context.server(), {
        method: 'GET',
        path: '/m/either',
        headers: { authorization: `Bearer ${forged}` },
      });
      expectBearerRefusal(response, 'bearer_invalid');
      assert.equal(lastAuthentication(context.events)?.proof, 'bearer');
    },
  },
  {
    name: 'either: an expired bearer token: 401 bearer_expired',
    async run(context) {
      const token = await bearerFor(context, CALLER_ID, { iat: NOW_SEC - 7200, exp: NOW_SEC - 3600 });
      expectBearerRefusal(
        await send(await context.server(), {
          method: 'GET',
          path: '/m/either',
          headers: { authorization: `Bearer ${token}` },
        }),
        'bearer_expired',
      );
    },
  },
  {
    name: 'either: a bearer token for another audience or issuer: 401 bearer_invalid',
    async run(context) {
      for (const overrides of [{ aud: 'https://payments.internal.example' }, { iss: 'https://evil.example' }]) {
        const token = await bearerFor(context, CALLER_ID, overrides);
        expectBearerRefusal(
          await send(await context.server(), {
            method: 'GET',
            path: '/m/either',
            headers: { authorization: `Bearer ${token}` },
          }),
          'bearer_invalid',
        );
      }
    },
  },
  {
    name: 'either: a bearer sub outside the bound origin or not canonical: 401 bearer_invalid',
    async run(context) {
      for (const sub of [
        'wimse://other.example/service/caller',
        'spiffe://td.example/service/caller',
        'wimse://td.example/a/../b',
        'caller',
      ]) {
        const token = await bearerFor(context, sub);
        expectBearerRefusal(
          await send(await context.server(), {
            method: 'GET',
            path: '/m/either',
            headers: { authorization: `Bearer ${token}` },
          }),
          'bearer_invalid',
        );
      }
    },
  },
  {
    name: 'either: a malformed or repeated Authorization Bearer field: 400 bearer_malformed (invalid_request)',
    async run(context) {
      const server = await context.server();
      const token = await bearerFor(context);
      for (const authorization of ['Bearer', 'Bearer a b', 'Bearer ä', [`Bearer ${token}`, `Bearer ${token}`]]) {
        const response = await send(server, { method: 'GET', path: '/m/either', headers: { authorization } });
        expectBearerRefusal(response, 'bearer_malformed', 'invalid_request');
      }
    },
  },
  {
    name: 'either: a WIT sent as a bearer token: 401 wit_as_bearer',
    async run(context) {
      const response = await send(await context.server(), {
        method: 'GET',
        path: '/m/either',
        headers: { authorization: `Bearer ${context.scenario.wit}` },
      });
      expectBearerRefusal(response, 'wit_as_bearer');
    },
  },
  {
    name: 'wit-required route: a WIT sent as a bearer token is refused too (401 wit_as_bearer)',
    async run(context) {
      const response = await send(await context.server(), {
        method: 'GET',
        path: '/orders',
        headers: { authorization: `Bearer ${context.scenario.wit}` },
      });
      expectProblem(response, 401, 'wit_as_bearer');
    },
  },

  // ---- no downgrade (M1)
  {
    name: 'no downgrade: a forged WIT with a valid bearer token is refused by the WIMSE path (400 wit_invalid)',
    async run(context) {
      const forged = await witFor(context.scenario, { signingKey: generateTestKey('ES256').privateKey });
      const message = await signed(
        { wit: forged, workloadKey: context.scenario.workloadKey },
        { path: '/m/either', headers: { authorization: `Bearer ${await bearerFor(context)}` } },
      );
      expectProblem(await send(await context.server(), message), 400, 'wit_invalid');
      assert.equal(lastAuthentication(context.events)?.proof, 'http-signature');
    },
  },
  {
    name: 'no downgrade: a broken signature with a valid bearer token: 400 signature_invalid',
    async run(context) {
      const message = await witRequest(context, '/m/either?id=1', { bearer: await bearerFor(context) });
      expectProblem(
        await send(await context.server(), { ...message, path: '/m/either?id=2' }),
        400,
        'signature_invalid',
      );
    },
  },
  {
    name: 'no downgrade: a lone Signature-Input with a valid bearer token: the WIMSE path decides (400)',
    async run(context) {
      const response = await send(await context.server(), {
        method: 'GET',
        path: '/m/either',
        headers: { authorization: `Bearer ${await bearerFor(context)}`, 'signature-input': 'wimse=("@method")' },
      });
      expectProblem(response, 400, 'wit_missing');
    },
  },
  {
    name: 'no downgrade: Authorization WPT is a WIMSE credential, never retried as bearer',
    async run(context) {
      const response = await send(await context.server(), {
        method: 'GET',
        path: '/m/either',
        headers: { authorization: 'WPT eyJhbGciOiJFZERTQSJ9.e30.AA' },
      });
      assert.equal(response.status, 400, response.text);
      assert.equal(lastAuthentication(context.events)?.proof, 'wpt', 'the proof the request carried is audited');
    },
  },

  // ---- mode `shadow`
  {
    name: 'shadow: bearer only is accepted (the bearer decides)',
    async run(context) {
      const response = await send(await context.server(), await bearerRequest(context, '/m/shadow'));
      expectAnswer(response, { workload: CALLER_ID, proof: 'bearer' });
      assert.ok(response.headers.deprecation);
      assert.equal(context.events.filter((event) => event.stage === 'shadow').length, 0);
    },
  },
  {
    name: 'shadow: bearer with a valid WIT: the bearer decides; the WIT verdict is reported (allow)',
    async run(context) {
      const message = await witRequest(context, '/m/shadow', { bearer: await bearerFor(context) });
      expectAnswer(await send(await context.server(), message), { workload: CALLER_ID, proof: 'bearer' });
      const shadow = context.events.filter((event) => event.stage === 'shadow');
      assert.equal(shadow.length, 1);
      assert.equal(shadow[0]?.decision, 'allow');
      assert.equal(shadow[0]?.proof, 'http-signature');
      assert.equal(shadow[0]?.workloadId, CALLER_ID);
    },
  },
  {
    name: 'shadow: bearer with a forged WIT: still accepted (never enforced); the WIT verdict is reported (deny)',
    async run(context) {
      const forged = await witFor(context.scenario, { signingKey: generateTestKey('ES256').privateKey });
      const message = await signed(
        { wit: forged, workloadKey: context.scenario.workloadKey },
        { path: '/m/shadow', headers: { authorization: `Bearer ${await bearerFor(context)}` } },
      );
      expectAnswer(await send(await context.server(), message), { workload: CALLER_ID, proof: 'bearer' });
      const shadow = context.events.find((event) => event.stage === 'shadow');
      assert.equal(shadow?.decision, 'deny');
      assert.equal(shadow?.code, 'wit_invalid');
    },
  },
  {
    name: 'shadow: a WIT alone does not authenticate (401 credentials_missing); its verdict is reported',
    async run(context) {
      const response = await send(await context.server(), await witRequest(context, '/m/shadow'));
      expectProblem(response, 401, 'credentials_missing');
      assert.match(String(response.headers['www-authenticate']), /^Bearer/);
      assert.equal(context.events.find((event) => event.stage === 'shadow')?.decision, 'allow');
    },
  },
  {
    name: 'shadow: a broken bearer token beside a valid WIT: 401 bearer_invalid (the bearer decides)',
    async run(context) {
      const forged = await mintBearer({ key: generateTestKey('ES256'), sub: CALLER_ID });
      const message = await witRequest(context, '/m/shadow', { bearer: forged });
      expectBearerRefusal(await send(await context.server(), message), 'bearer_invalid');
    },
  },
  {
    name: 'shadow: neither credential: 401 credentials_missing',
    async run(context) {
      expectProblem(
        await send(await context.server(), { method: 'GET', path: '/m/shadow', headers: {} }),
        401,
        'credentials_missing',
      );
    },
  },
  {
    name: 'shadow: a WIT verified in shadow sets no ratchet',
    async run(context) {
      const server = await context.server();
      await send(server, await witRequest(context, '/m/shadow', { bearer: await bearerFor(context) }));
      expectAnswer(await send(server, await bearerRequest(context, '/m/either')), { proof: 'bearer' });
    },
  },

  // ---- mode `bearer-only`
  {
    name: 'bearer-only: bearer is accepted',
    async run(context) {
      expectAnswer(await send(await context.server(), await bearerRequest(context, '/m/bearer-only')), {
        workload: CALLER_ID,
        proof: 'bearer',
      });
    },
  },
  {
    name: 'bearer-only: a WIT is refused, never ignored (401 wimse_not_accepted)',
    async run(context) {
      const response = await send(await context.server(), await witRequest(context, '/m/bearer-only'));
      expectProblem(response, 401, 'wimse_not_accepted');
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="orders"');
    },
  },
  {
    name: 'bearer-only: both: the WIMSE path decides and is refused (401 wimse_not_accepted)',
    async run(context) {
      const message = await witRequest(context, '/m/bearer-only', { bearer: await bearerFor(context) });
      expectProblem(await send(await context.server(), message), 401, 'wimse_not_accepted');
    },
  },
  {
    name: 'bearer-only: neither: 401 credentials_missing naming Bearer only; broken bearer: 401 bearer_invalid',
    async run(context) {
      const server = await context.server();
      const response = await send(server, { method: 'GET', path: '/m/bearer-only', headers: {} });
      expectProblem(response, 401, 'credentials_missing');
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="orders"');
      const forged = await mintBearer({ key: generateTestKey('ES256'), sub: CALLER_ID });
      expectBearerRefusal(
        await send(server, { method: 'GET', path: '/m/bearer-only', headers: { authorization: `Bearer ${forged}` } }),
        'bearer_invalid',
      );
    },
  },

  // ---- mode `wit-required` (the default: today's behaviour)
  {
    name: 'wit-required: bearer only: the valid bearer token is refused the RFC 6750 way (401 bearer_not_accepted)',
    async run(context) {
      const response = await send(await context.server(), await bearerRequest(context, '/orders'));
      expectBearerRefusal(response, 'bearer_not_accepted');
      assert.equal(
        response.headers['www-authenticate'],
        'Bearer realm="orders", error="invalid_token", WPT realm="orders"',
      );
      assert.match(String(response.headers['accept-signature']), /^sig1=/, 'and what to sign instead');
      assert.equal(lastAuthentication(context.events)?.proof, 'bearer');
      assert.equal(lastAuthentication(context.events)?.migrationMode, 'wit-required');
    },
  },
  {
    name: 'wit-required: WIT only, and WIT with a bearer beside it (not verified here), are accepted',
    async run(context) {
      const server = await context.server();
      expectAnswer(await send(server, await witRequest(context, '/m/sensitive')), { proof: 'http-signature' });
      const forged = await mintBearer({ key: generateTestKey('ES256'), sub: OTHER_ID });
      const response = await send(server, await witRequest(context, '/m/sensitive', { bearer: forged }));
      expectAnswer(response, { workload: CALLER_ID, proof: 'http-signature', bearer: null });
    },
  },
  {
    name: 'wit-required: neither: 401 credentials_missing challenging WPT only; a forged WIT: 400 wit_invalid',
    async run(context) {
      const server = await context.server();
      const missing = await send(server, { method: 'GET', path: '/m/sensitive', headers: {} });
      expectProblem(missing, 401, 'credentials_missing');
      assert.equal(missing.headers['www-authenticate'], 'WPT realm="orders"', 'no Bearer where no caller may use one');
      const forged = await witFor(context.scenario, { signingKey: generateTestKey('ES256').privateKey });
      const message = await signed(
        { wit: forged, workloadKey: context.scenario.workloadKey },
        { path: '/m/sensitive' },
      );
      expectProblem(await send(server, message), 400, 'wit_invalid');
    },
  },

  // ---- optional protection with migration; policies
  {
    name: 'optional + either: nothing passes without identity; a bearer attaches one',
    async run(context) {
      const server = await context.server();
      expectAnswer(await send(server, { method: 'GET', path: '/m/optional', headers: {} }), {
        workload: null,
        proof: null,
      });
      expectAnswer(await send(server, await bearerRequest(context, '/m/optional')), {
        workload: CALLER_ID,
        proof: 'bearer',
      });
    },
  },
  {
    name: 'requireProofOfPossession: a bearer caller is denied (403), a WIT caller allowed',
    async run(context) {
      const server = await context.server();
      expectProblem(await send(server, await bearerRequest(context, '/m/pop')), 403, 'policy_denied');
      expectAnswer(await send(server, await witRequest(context, '/m/pop')), { proof: 'http-signature' });
      const denial = context.events.find((event) => event.stage === 'authorization' && event.decision === 'deny');
      assert.equal(denial?.proof, 'bearer');
    },
  },
  {
    name: 'policy-stage audit events carry the migrationMode, like every other event of a migrating guard',
    async run(context) {
      const server = await context.server();
      expectProblem(await send(server, await bearerRequest(context, '/m/pop')), 403, 'policy_denied');
      expectAnswer(await send(server, await witRequest(context, '/m/pop')), { proof: 'http-signature' });
      const stages = context.events
        .filter((event) => event.stage === 'authorization')
        .map((event) => [event.decision, event.proof, event.migrationMode]);
      assert.deepEqual(stages, [
        ['deny', 'bearer', 'either'],
        ['allow', 'http-signature', 'either'],
      ]);
    },
  },

  // ---- ratchet (M2)
  {
    name: 'ratchet: after the first WIT, bearer from that caller is refused on either routes (401 bearer_ratcheted)',
    async run(context) {
      const server = await context.server();
      expectAnswer(await send(server, await bearerRequest(context, '/m/either')), { proof: 'bearer' });
      expectAnswer(await send(server, await witRequest(context, '/m/sensitive')), { proof: 'http-signature' });
      const response = await send(server, await bearerRequest(context, '/m/either'));
      expectBearerRefusal(response, 'bearer_ratcheted');
      assert.match(String(response.headers['www-authenticate']), /, WPT realm="orders"$/);
      assert.match(String(response.headers['accept-signature']), /^sig1=/);
      // Another caller is not affected; bearer-only and shadow routes do not take WITs.
      expectAnswer(await send(server, await bearerRequest(context, '/m/either', OTHER_ID)), { workload: OTHER_ID });
      expectAnswer(await send(server, await bearerRequest(context, '/m/bearer-only')), { proof: 'bearer' });
      expectAnswer(await send(server, await bearerRequest(context, '/m/shadow')), { proof: 'bearer' });
      // The caller's WIT still works.
      expectAnswer(await send(server, await witRequest(context, '/m/either')), { proof: 'http-signature' });
    },
  },
  {
    name: 'ratchet: shared by two guards over one store; a guard with its own store is unaffected',
    async run(context) {
      expectAnswer(await send(await context.server('twin-a'), await witRequest(context, '/m/either')), {
        proof: 'http-signature',
      });
      expectBearerRefusal(
        await send(await context.server('twin-b'), await bearerRequest(context, '/m/either')),
        'bearer_ratcheted',
      );
      expectAnswer(await send(await context.server('solo'), await bearerRequest(context, '/m/either')), {
        proof: 'bearer',
      });
    },
  },
  {
    name: 'ratchet: an operator reset reopens the bearer door for that caller',
    async run(context) {
      const server = await context.server();
      await send(server, await witRequest(context, '/orders'));
      expectBearerRefusal(await send(server, await bearerRequest(context, '/m/either')), 'bearer_ratcheted');
      await context.env.stores.modes.reset(CALLER_ID);
      expectAnswer(await send(server, await bearerRequest(context, '/m/either')), { proof: 'bearer' });
    },
  },
  {
    name: 'ratchet with a grace period: bearer accepted within it, refused after it',
    async run(context) {
      const server = await context.server('grace');
      const start = context.env.clock.ms;
      try {
        expectAnswer(await send(server, await witRequest(context, '/m/either')), { proof: 'http-signature' });
        context.env.clock.ms = start + 59_000;
        expectAnswer(await send(server, await bearerRequest(context, '/m/either')), { proof: 'bearer' });
        context.env.clock.ms = start + 60_000;
        expectBearerRefusal(await send(server, await bearerRequest(context, '/m/either')), 'bearer_ratcheted');
      } finally {
        context.env.clock.ms = start;
      }
    },
  },
  {
    name: 'a store that does not answer: 503 unavailable for bearer and WIT callers, never an allow',
    async run(context) {
      const server = await context.server('hanging');
      const bearer = await send(server, await bearerRequest(context, '/m/either'));
      expectProblem(bearer, 503, 'unavailable');
      assert.equal(bearer.headers['retry-after'], '1');
      expectProblem(await send(server, await witRequest(context, '/m/either')), 503, 'unavailable');
    },
  },

  // ---- per-caller settings and floors
  {
    name: 'per caller: a legacy caller may use bearer on a wit-required route; others may not (401 bearer_not_accepted)',
    async run(context) {
      const server = await context.server('callers');
      const legacy = await send(server, await bearerRequest(context, '/orders', LEGACY_ID));
      assert.equal(legacy.status, 200, legacy.text);
      assert.equal(legacy.body.workload, LEGACY_ID);
      assert.equal(lastAuthentication(context.events)?.proof, 'bearer');
      expectBearerRefusal(await send(server, await bearerRequest(context, '/orders', OTHER_ID)), 'bearer_not_accepted');
    },
  },
  {
    name: 'per caller: a floor (wit-required) is not lowered by a per-caller setting: the route takes WITs only',
    async run(context) {
      const server = await context.server('callers');
      expectBearerRefusal(
        await send(server, await bearerRequest(context, '/m/sensitive', LEGACY_ID)),
        'bearer_not_accepted',
      );
      expectAnswer(await send(server, await witRequest(context, '/m/sensitive', { sub: LEGACY_ID })), {
        workload: LEGACY_ID,
      });
    },
  },
  {
    name: 'per caller: a prefix rule is segment-aware and bound to its origin',
    async run(context) {
      const server = await context.server('callers');
      expectBearerRefusal(
        await send(server, await bearerRequest(context, '/m/either', TEAM_B_MEMBER)),
        'bearer_not_accepted',
      );
      expectAnswer(await send(server, await bearerRequest(context, '/m/either', TEAM_BX)), { workload: TEAM_BX });
    },
  },
  {
    name: 'per caller: bearer-only caller: its WIT is refused on an either route, accepted where the floor is either',
    async run(context) {
      const server = await context.server('callers');
      expectProblem(
        await send(server, await witRequest(context, '/m/either', { sub: BEARER_ONLY_ID })),
        401,
        'wimse_not_accepted',
      );
      expectAnswer(await send(server, await witRequest(context, '/m/floored', { sub: BEARER_ONLY_ID })), {
        workload: BEARER_ONLY_ID,
        proof: 'http-signature',
      });
    },
  },

  {
    name: "the README's floor example: { mode: 'either', floor: 'either' } and { floor: 'wit-required' } do what the prose says",
    async run(context) {
      // /m/floored is the README's /refunds, /m/sensitive its /payouts (the same route settings).
      const server = await context.server('callers');
      // A caller without a setting of its own: the route's mode (either) lets its bearer token in.
      expectAnswer(await send(server, await bearerRequest(context, '/m/floored', OTHER_ID)), {
        workload: OTHER_ID,
        proof: 'bearer',
      });
      assert.equal(lastAuthentication(context.events)?.migrationMode, 'either');
      // A caller set looser (bearer-only) is held to the floor: bearer or WIT, both accepted.
      expectAnswer(await send(server, await bearerRequest(context, '/m/floored', BEARER_ONLY_ID)), {
        workload: BEARER_ONLY_ID,
        proof: 'bearer',
      });
      assert.equal(lastAuthentication(context.events)?.migrationMode, 'either');
      // A caller set stricter (team-b: wit-required) must use its WIT here too.
      expectBearerRefusal(
        await send(server, await bearerRequest(context, '/m/floored', TEAM_B_MEMBER)),
        'bearer_not_accepted',
      );
      // The sensitive route: WITs only, also for a caller whose own setting is either.
      expectBearerRefusal(
        await send(server, await bearerRequest(context, '/m/sensitive', LEGACY_ID)),
        'bearer_not_accepted',
      );
      assert.equal(lastAuthentication(context.events)?.migrationMode, 'wit-required');
    },
  },

  // ---- sunset (M5)
  {
    name: 'sunset: before it, bearer is accepted with the Sunset header; after a caller sunset, 401 bearer_sunset',
    async run(context) {
      const modes = await context.server();
      const before = await send(modes, await bearerRequest(context, '/m/either', OTHER_ID));
      expectAnswer(before, { proof: 'bearer' });
      assert.equal(before.headers.sunset, new Date(SUNSET_MS).toUTCString());
      const after = await send(await context.server('callers'), await bearerRequest(context, '/m/either', LATE_ID));
      expectBearerRefusal(after, 'bearer_sunset');
    },
  },
  {
    name: 'sunset: after the global date, bearer is refused (401 bearer_sunset) and WITs still work',
    async run(context) {
      const server = await context.server();
      const start = context.env.clock.ms;
      try {
        context.env.clock.ms = SUNSET_MS;
        // The bearer token is still valid at that instant (minted to expire later).
        const token = await bearerFor(context, OTHER_ID, { iat: SUNSET_MS / 1000 - 60, exp: SUNSET_MS / 1000 + 600 });
        expectBearerRefusal(
          await send(server, { method: 'GET', path: '/m/either', headers: { authorization: `Bearer ${token}` } }),
          'bearer_sunset',
        );
      } finally {
        context.env.clock.ms = start;
      }
      expectAnswer(await send(server, await witRequest(context, '/m/either')), { proof: 'http-signature' });
    },
  },

  // ---- report and secrecy
  {
    name: 'report: per-caller inventory as JSON behind a policy',
    async run(context) {
      const server = await context.server();
      await send(server, await bearerRequest(context, '/m/either', OTHER_ID));
      await send(server, await bearerRequest(context, '/m/bearer-only', OTHER_ID));
      await send(server, await bearerRequest(context, '/m/either'));
      await send(server, await witRequest(context, '/m/either'));
      expectProblem(await send(server, await witRequest(context, '/m/report')), 403, 'policy_denied');
      const response = await send(server, await witRequest(context, '/m/report', { sub: ADMIN_ID }));
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      const report = response.body as MigrationReport;
      const other = report.callers.find((caller) => caller.id === OTHER_ID);
      const caller = report.callers.find((entry) => entry.id === CALLER_ID);
      assert.equal(other?.mechanisms.bearer?.count, 2);
      assert.deepEqual(other?.routes, ['/m/either', '/m/bearer-only']);
      assert.equal(other?.migrated, false);
      assert.equal(other?.sunset, new Date(SUNSET_MS).toISOString());
      assert.equal(caller?.migrated, true);
      assert.equal(caller?.mechanisms.bearer?.count, 1);
      assert.ok(
        (caller?.mechanisms['http-signature']?.count ?? 0) >= 2,
        'the WIT requests, the refused report one too',
      );
      assert.equal(report.totals.usingBearer, 2);
      assert.ok(
        report.callers.findIndex((entry) => entry.id === ADMIN_ID) >
          report.callers.findIndex((entry) => entry.id === OTHER_ID),
      );
    },
  },
  {
    name: 'no token, WIT or signature ever appears in audit events or problem bodies',
    async run(context) {
      const server = await context.server();
      const token = await bearerFor(context, OTHER_ID);
      const forged = await mintBearer({ key: generateTestKey('ES256'), sub: CALLER_ID });
      const dual = await witRequest(context, '/m/either', { bearer: await bearerFor(context, OTHER_ID) });
      const responses = [
        await send(server, { method: 'GET', path: '/m/either', headers: { authorization: `Bearer ${token}` } }),
        await send(server, { method: 'GET', path: '/m/either', headers: { authorization: `Bearer ${forged}` } }),
        await send(server, {
          method: 'GET',
          path: '/m/either',
          headers: { authorization: `Bearer ${context.scenario.wit}` },
        }),
        await send(server, dual),
      ];
      const secrets = [token, forged, context.scenario.wit, String(dual.headers.signature)].map(
        (value) => value.split('.').at(-1) as string,
      );
      const visible = JSON.stringify(context.events) + responses.map((response) => response.text).join('');
      for (const secret of secrets) assert.ok(!visible.includes(secret), 'a credential leaked');
    },
  },
];
