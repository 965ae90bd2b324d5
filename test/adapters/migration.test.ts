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
  'nest-express': () => import('./harness-nest-express.js'),
  'nest-fastify': () => import('./harness-nest-fastify.js'),
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

describe('migration: route settings are checked when the route is registered', () => {
  it('Express, Koa and Fastify refuse a bad route migration setting with a TypeError', async () => {
    const { wimse: expressWimse } = await import('@wimse-pep/express');
    const { wimse: koaWimse } = await import('@wimse-pep/koa');
    const { wimse: fastifyWimse } = await import('@wimse-pep/fastify');
    const Fastify = (await import('fastify')).default;
    const scenario = await createScenario();
    const bearerKey = generateTestKey('ES256', 'bearer-1');
    const migration = migrationOptionsFor('solo', {
      bearerKey,
      stores: {} as MigrationEnvironment['stores'],
      clock: { ms: now() },
    });
    for (const create of [expressWimse, koaWimse]) {
      const plain = create({ verifier: scenario.options });
      assert.throws(() => plain.withMode('either'), /needs the guard's migration option/);
      const pep = create({
        verifier: scenario.options,
        migration: { ...migration, store: new MemoryMigrationStore() },
      });
      assert.doesNotThrow(() => pep.withMode('optional', { mode: 'either', floor: 'shadow' }));
      assert.throws(() => pep.withMode('sometimes' as never), TypeError);
      assert.throws(() => pep.withMode('required', { mode: 'sometimes' as never }), /withMode migration\.mode/);
    }
    const app = Fastify();
    await app.register(fastifyWimse, {
      verifier: scenario.options,
      migration: { ...migration, store: new MemoryMigrationStore() },
    });
    assert.throws(
      () => app.get('/x', { config: { wimse: { migration: { floor: 'never' as never } } } }, async () => 'x'),
      /GET \/x: config\.wimse\.migration\.floor/,
    );
    await app.close();
  });
});
