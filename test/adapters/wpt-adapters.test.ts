/**
 * The WPT case table (draft-ietf-wimse-wpt-02) against real Express, Fastify, Koa and NestJS servers,
 * through the same harnesses as the shared case table: a caller proving its WIT with
 * `Authorization: WPT`, and every refusal a 401 problem with the `WPT` challenge.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AuditEvent } from '@wimse-pep/core';
import { tokenHash } from '@wimse-pep/core/signing';
import type { Response } from 'supertest';
import {
  AUDIENCE,
  CALLER_ID,
  createScenario,
  generateTestKey,
  mintWpt,
  NOW_SEC,
  type Scenario,
  wptWorkloadRequest,
} from '../support/index.js';
import { expectOk, expectProblem, type Outgoing, send, signed } from './cases.js';
import type { AdapterHarness } from './harness.js';

interface WptCase {
  readonly name: string;
  run(context: { scenario: Scenario; server: Server; events: AuditEvent[] }): Promise<void>;
}

/** A GET (or POST) carrying the scenario's WIT and a WPT with the given overrides. */
function wptMessage(
  scenario: Scenario,
  options: Parameters<typeof wptWorkloadRequest>[1] & { body?: string } = {},
): Omit<Outgoing, 'headers'> & { headers: Record<string, string> & { authorization: string } } {
  const request = wptWorkloadRequest(scenario, options);
  return {
    method: (options.method ?? 'GET') as 'GET' | 'POST',
    path: request.target,
    headers: request.headers,
    body: options.body === undefined ? undefined : new TextEncoder().encode(options.body),
  };
}

/** A 401 problem with `code` and the `WWW-Authenticate: WPT` challenge. */
function expectWptRefusal(response: Response, code: string): void {
  expectProblem(response, 401, code);
  assert.equal(response.headers['www-authenticate'], 'WPT');
}

const wptCases: readonly WptCase[] = [
  {
    name: 'GET with Authorization: WPT: the handler sees the verified identity, audited as an allow',
    async run({ scenario, server, events }) {
      expectOk(await send(server, wptMessage(scenario)), CALLER_ID);
      assert.deepEqual(
        events.map((event) => [event.stage, event.decision, event.workloadId]),
        [['authentication', 'allow', CALLER_ID]],
      );
      assert.ok(!JSON.stringify(events).includes('eyJ'), 'no token in audit events');
    },
  },
  {
    name: 'POST with a JSON body and a WPT: verified, and the app parser still works',
    async run({ scenario, server }) {
      const message = wptMessage(scenario, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"amount":125}',
      });
      expectOk(await send(server, message), CALLER_ID, { amount: 125 });
    },
  },
  {
    name: 'a route policy applies to a WPT caller as to any other (403 policy_denied)',
    async run({ scenario, server }) {
      const message = wptMessage(scenario, { target: '/admin', claims: { aud: `${AUDIENCE}/admin` } });
      expectProblem(await send(server, message), 403, 'policy_denied');
    },
  },
  {
    name: 'an optional route attaches the WPT identity',
    async run({ scenario, server }) {
      expectOk(
        await send(server, wptMessage(scenario, { target: '/maybe', claims: { aud: `${AUDIENCE}/maybe` } })),
        CALLER_ID,
      );
    },
  },
  {
    name: 'a WPT signed by another key is 401 wpt_invalid',
    async run({ scenario, server }) {
      expectWptRefusal(await send(server, wptMessage(scenario, { key: generateTestKey('EdDSA') })), 'wpt_invalid');
    },
  },
  {
    name: 'a WPT for another path is 401 wpt_audience_mismatch (never decided from Host)',
    async run({ scenario, server }) {
      const message = wptMessage(scenario, { claims: { aud: `${AUDIENCE}/refunds` } });
      expectWptRefusal(await send(server, message), 'wpt_audience_mismatch');
    },
  },
  {
    name: 'an expired WPT is 401 wpt_expired',
    async run({ scenario, server }) {
      expectWptRefusal(await send(server, wptMessage(scenario, { claims: { exp: NOW_SEC - 120 } })), 'wpt_expired');
    },
  },
  {
    name: 'the same WPT twice: the second is 401 wpt_replay',
    async run({ scenario, server }) {
      const message = wptMessage(scenario);
      expectOk(await send(server, message), CALLER_ID);
      expectWptRefusal(await send(server, message), 'wpt_replay');
    },
  },
  {
    name: 'a Txn-Token without tth is 401 wpt_binding_mismatch; with tth it is accepted',
    async run({ scenario, server }) {
      const unbound = wptMessage(scenario, { headers: { 'txn-token': 'txn-abc' } });
      expectWptRefusal(await send(server, unbound), 'wpt_binding_mismatch');
      const bound = wptMessage(scenario, {
        claims: { tth: tokenHash('txn-abc') },
        headers: { 'txn-token': 'txn-abc' },
      });
      expectOk(await send(server, bound), CALLER_ID);
    },
  },
  {
    name: 'two Authorization field lines, both WPT, are 401 wpt_malformed',
    async run({ scenario, server }) {
      const message = wptMessage(scenario);
      const { authorization } = message.headers;
      expectWptRefusal(
        await send(server, {
          ...message,
          headers: { ...message.headers, authorization: [authorization, authorization] },
        }),
        'wpt_malformed',
      );
    },
  },
  {
    name: 'a WPT plus a Bearer token is 401 wpt_conflict (the bearer token is never used)',
    async run({ scenario, server }) {
      const message = wptMessage(scenario);
      const { authorization } = message.headers;
      expectWptRefusal(
        await send(server, {
          ...message,
          headers: { ...message.headers, authorization: [authorization, 'Bearer abc'] },
        }),
        'wpt_conflict',
      );
    },
  },
  {
    name: 'Workload-Proof-Token (the pre-02 header) is 401 wpt_malformed under the default profile',
    async run({ scenario, server }) {
      const token = mintWpt({ key: scenario.workloadKey, wit: scenario.wit });
      const message: Outgoing = {
        method: 'GET',
        path: '/orders',
        headers: { 'workload-identity-token': scenario.wit, 'workload-proof-token': token },
      };
      expectWptRefusal(await send(server, message), 'wpt_malformed');
    },
  },
  {
    name: 'a WPT on a request that also carries a WIMSE HTTP signature is 401 wpt_conflict',
    async run({ scenario, server }) {
      const httpSig = await signed(scenario, { path: '/orders' });
      const message = {
        ...httpSig,
        headers: { ...httpSig.headers, authorization: wptMessage(scenario).headers.authorization },
      };
      expectWptRefusal(await send(server, message), 'wpt_conflict');
    },
  },
  {
    name: 'HTTP-signature callers keep working on the same server',
    async run({ scenario, server }) {
      expectOk(await send(server, await signed(scenario)), CALLER_ID);
    },
  },
];

const harnessModules = {
  express: () => import('./harness-express.js'),
  fastify: () => import('./harness-fastify.js'),
  koa: () => import('./harness-koa.js'),
  'nest-express': () => import('./harness-nest-express.js'),
  'nest-fastify': () => import('./harness-nest-fastify.js'),
} as const;

for (const [name, load] of Object.entries(harnessModules)) {
  describe(`WPT through ${name}`, () => {
    let scenario: Scenario;
    let server: Server;
    const events: AuditEvent[] = [];
    before(async () => {
      const harness = ((await load()) as { default: AdapterHarness }).default;
      scenario = await createScenario();
      server = await harness.createServer({
        verifier: scenario.options,
        audit: (event) => events.push(event),
        bodyParser: 'json',
        parserPosition: 'after',
      });
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      assert.ok((server.address() as AddressInfo).port > 0);
    });
    beforeEach(() => {
      events.length = 0;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    for (const testCase of wptCases) it(testCase.name, () => testCase.run({ scenario, server, events }));
  });
}
