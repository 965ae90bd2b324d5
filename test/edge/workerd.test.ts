import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleEdgeApp } from './support/bundle.js';
import {
  createEdgeScenario,
  type EdgeScenario,
  expectProblem,
  runEdgeChecks,
  send,
  signedMessage,
} from './support/edge-checks.js';
import { freePort, type RuntimeProcess, startRuntime } from './support/runtime-process.js';

/**
 * The Hono app protected by @wimse-pep/hono on Cloudflare's workerd (the `workerd` npm package),
 * Node compatibility off (`no_nodejs_compat`, `no_nodejs_compat_v2`: it is on by default since
 * 2026-08-04), bundled under the `workerd` condition: the core's Web Crypto backend. Three Workers
 * in one workerd: `main` and `second` share the Durable Object replay store (a nonce seen by one
 * is a replay at the other: two isolates), `isolated` has no shared store and no development flag
 * and must refuse to start. If workerd cannot start, the checks fail.
 */
const root = new URL('../..', import.meta.url).pathname;
/** The native binary itself (the package's `default` export), not the npm wrapper that would outlive a kill. */
const workerdBin = (createRequire(import.meta.url)('workerd') as { default: string }).default;

describe('workerd (Node compatibility off): @wimse-pep/hono on the Web Crypto backend', () => {
  let scenario: EdgeScenario;
  let runtime: RuntimeProcess | undefined;
  let work: string;
  const bases = { main: '', second: '', isolated: '' };

  before(async () => {
    scenario = await createEdgeScenario();
    work = mkdtempSync(join(tmpdir(), 'wimse-pep-workerd-'));
    await bundleEdgeApp({
      entry: join(root, 'test/edge/app/worker.ts'),
      outfile: join(work, 'worker.js'),
      conditions: ['workerd', 'worker', 'browser'],
      nodeBuiltins: false,
    });
    const ports = { main: await freePort(), second: await freePort(), isolated: await freePort() };
    for (const name of ['main', 'second', 'isolated'] as const) bases[name] = `http://127.0.0.1:${ports[name]}`;
    writeFileSync(join(work, 'config.capnp'), workerdConfig(JSON.stringify(scenario.config), ports));
    runtime = await startRuntime(
      workerdBin,
      ['serve', join(work, 'config.capnp'), '--verbose'],
      `${bases.main}/runtime`,
    );
  });
  after(async () => {
    await runtime?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('inside the worker: no Buffer, no process, no node:crypto; the core loaded its web-crypto backend', async () => {
    const report = await send(bases.main, { method: 'GET', path: '/runtime', headers: {} });
    assert.equal(report.status, 200, report.text);
    assert.deepEqual(report.json, {
      backend: 'web-crypto',
      buffer: 'undefined',
      process: 'undefined',
      nodeCrypto: false,
      userAgent: 'Cloudflare-Workers',
    });
  });

  it('web-crypto backend on workerd: signed GET/POST accepted; tampered body, replay, forged WIT, no credentials refused', async () => {
    const passed = await runEdgeChecks(bases.main, scenario, 'web-crypto').catch((error: unknown) => {
      throw new Error(`${String(error)}\nworkerd said:\n${runtime?.output()}`);
    });
    assert.equal(passed.length, 6);
  });

  it('Durable Object replay store: a nonce accepted by one Worker is a replay at another sharing the store', async () => {
    const message = await signedMessage(scenario, 'GET', '/orders?shared=1');
    const first = await send(bases.main, message);
    assert.equal(first.status, 200, first.text);
    expectProblem(await send(bases.second, message), 400, 'replay');
    // And the other way round, for a nonce the second Worker saw first.
    const other = await signedMessage(scenario, 'GET', '/orders?shared=2');
    assert.equal((await send(bases.second, other)).status, 200);
    expectProblem(await send(bases.main, other), 400, 'replay');
  });

  it('a Worker without a shared replay store and without allowIsolateReplayStore is refused at construction', async () => {
    const answer = await send(bases.isolated, { method: 'GET', path: '/runtime', headers: {} });
    assert.equal(answer.status, 500);
    assert.match(
      String(answer.json.constructionError),
      /verifier\.replayStore must be a shared store on Cloudflare Workers/,
    );
  });
});

function workerdConfig(config: string, ports: { main: number; second: number; isolated: number }): string {
  const worker = (bindings: string, extra = '') => `(
    modules = [ (name = "worker.js", esModule = embed "worker.js") ],
    compatibilityDate = "2026-11-01",
    compatibilityFlags = ["no_nodejs_compat", "no_nodejs_compat_v2"],
    bindings = [ (name = "CONFIG", json = ${JSON.stringify(config)})${bindings} ],
    ${extra}
  )`;
  const replay = ', (name = "REPLAY", durableObjectNamespace = (className = "WimseReplayShard", serviceName = "main"))';
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = ${worker(replay, 'durableObjectNamespaces = [ (className = "WimseReplayShard", uniqueKey = "wimse-pep-replay-test") ], durableObjectStorage = (inMemory = void),')}),
    (name = "second", worker = ${worker(replay)}),
    (name = "isolated", worker = ${worker('')}),
  ],
  sockets = [
    (name = "main", address = "127.0.0.1:${ports.main}", http = (), service = "main"),
    (name = "second", address = "127.0.0.1:${ports.second}", http = (), service = "second"),
    (name = "isolated", address = "127.0.0.1:${ports.isolated}", http = (), service = "isolated"),
  ],
);
`;
}
