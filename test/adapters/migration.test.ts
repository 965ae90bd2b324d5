import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type AuditEvent, MemoryMigrationStore } from '@wimse-pep/core';
import { createScenario, generateTestKey, now, type Scenario } from '../support/index.js';
import type { AdapterHarness } from './harness.js';
import {
  type MigrationCaseContext,
  type MigrationEnvironment,
  type MigrationServerName,
  migrationCases,
  migrationOptionsFor,
} from './migration-cases.js';

/**
 * Runs the migration case table against every framework harness, each on real servers. A harness
 * that fails to load is a failing test, never a silent skip.
 */
const harnessModules = {
  express: () => import('./harness-express.js'),
  fastify: () => import('./harness-fastify.js'),
  koa: () => import('./harness-koa.js'),
} as const;

for (const [name, load] of Object.entries(harnessModules)) {
  describe(`migration: ${name}`, () => {
    let harness: AdapterHarness | undefined;
    let scenario: Scenario;
    const events: AuditEvent[] = [];
    const servers = new Map<MigrationServerName, Promise<Server>>();
    const clock = { ms: now() };
    const env: MigrationEnvironment = {
      bearerKey: generateTestKey('RS256', 'bearer-1'),
      stores: {
        modes: new MemoryMigrationStore(),
        callers: new MemoryMigrationStore(),
        twin: new MemoryMigrationStore(),
        solo: new MemoryMigrationStore(),
        grace: new MemoryMigrationStore(),
        reportOnly: new MemoryMigrationStore(),
      },
      clock,
    };

    before(async () => {
      harness = ((await load()) as { default?: AdapterHarness }).default;
      scenario = await createScenario();
    });
    beforeEach(async () => {
      events.length = 0;
      for (const store of Object.values(env.stores)) await store.reset();
    });
    after(async () => {
      for (const pending of servers.values()) {
        const server = await pending.catch(() => undefined);
        if (!server?.listening) continue;
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    const context: MigrationCaseContext = {
      get scenario() {
        return scenario;
      },
      env,
      events,
      server(serverName: MigrationServerName = 'modes') {
        let pending = servers.get(serverName);
        if (!pending) {
          assert.equal(harness?.name, name, `harness-${name}.ts must export its AdapterHarness`);
          pending = listen(harness as AdapterHarness, serverName);
          servers.set(serverName, pending);
        }
        return pending;
      },
    };

    async function listen(adapter: AdapterHarness, serverName: MigrationServerName): Promise<Server> {
      const server = await adapter.createServer({
        verifier: { ...scenario.options, now: () => clock.ms },
        audit: (event) => events.push(event),
        bodyParser: 'json',
        parserPosition: 'after',
        migration: migrationOptionsFor(serverName, env),
        metrics: false,
      });
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      assert.ok((server.address() as AddressInfo).port > 0);
      return server;
    }

    for (const testCase of migrationCases) it(testCase.name, () => testCase.run(context));
  });
}
