import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AuditEvent } from '@wimse-pep/core';
import type { WorkloadCredentials } from '@wimse-pep/core/signing';
import { createScenario, type Scenario } from '../support/index.js';
import { bodyCases } from './body-cases.js';
import { type CaseContext, cases, type ServerConfig } from './cases.js';
import type { AdapterHarness, AppConfig } from './harness.js';
import { responseSigningFor, serverCredentialsFor } from './signing-config.js';

/**
 * Runs the shared case table against every framework harness (Express, Fastify, Koa, Hono). The harnesses are imported by
 * name; a harness that is missing or fails to load is a failing test, never a silent skip.
 */
const harnessModules = {
  express: () => import('./harness-express.js'),
  fastify: () => import('./harness-fastify.js'),
  koa: () => import('./harness-koa.js'),
  'nest-express': () => import('./harness-nest-express.js'),
  'nest-fastify': () => import('./harness-nest-fastify.js'),
  hono: () => import('./harness-hono.js'),
} as const;

const loaded = await Promise.all(
  Object.entries(harnessModules).map(async ([name, load]) => {
    try {
      const module = (await load()) as { default?: AdapterHarness };
      return { name, harness: module.default, error: undefined as unknown };
    } catch (error) {
      return { name, harness: undefined, error };
    }
  }),
);

for (const { name, harness, error } of loaded) {
  describe(`adapter: ${name}`, () => {
    it(`harness ${name} is present and exports an AdapterHarness`, () => {
      assert.equal(error, undefined, `harness ${name} missing: harness-${name}.ts failed to load: ${String(error)}`);
      assert.equal(harness?.name, name);
    });
    // A missing harness is the one failing test above, not one failure per case.
    if (harness?.name !== name) return;

    let scenario: Scenario;
    const events: AuditEvent[] = [];
    const servers = new Map<string, Promise<Server>>();

    let serverCredentials: WorkloadCredentials;
    before(async () => {
      scenario = await createScenario();
      serverCredentials = await serverCredentialsFor(scenario);
    });
    beforeEach(() => {
      events.length = 0;
    });
    after(async () => {
      for (const pending of servers.values()) {
        const server = await pending.catch(() => undefined);
        if (!server?.listening) continue;
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    const context: CaseContext = {
      get scenario() {
        return scenario;
      },
      events,
      server(config: ServerConfig = {}) {
        const full: AppConfig = {
          verifier: {
            ...scenario.options,
            ...(config.signatureVerification === undefined
              ? {}
              : { signatureVerification: config.signatureVerification }),
            ...(config.wpt === undefined ? {} : { wpt: config.wpt }),
          },
          audit: (event) => events.push(event),
          bodyParser: config.bodyParser ?? 'json',
          parserPosition: config.parserPosition ?? 'after',
          ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
          ...(config.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: config.bodyTimeoutMs }),
          ...responseSigningFor(config.signing, serverCredentials),
        };
        const key = `${full.bodyParser}/${full.parserPosition}/${full.bodyLimit ?? ''}/${full.bodyTimeoutMs ?? ''}/${config.signing ?? ''}/${config.signatureVerification ?? ''}/${config.wpt ?? ''}`;
        let pending = servers.get(key);
        if (!pending) {
          pending = listen(harness, full);
          servers.set(key, pending);
        }
        return pending;
      },
    };

    for (const testCase of [...cases, ...bodyCases]) it(testCase.name, () => testCase.run(context));
  });
}

async function listen(harness: AdapterHarness, config: AppConfig): Promise<Server> {
  const server = await harness.createServer(config);
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  assert.ok((server.address() as AddressInfo).port > 0);
  return server;
}
