import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWorker } from '../../examples/edge-worker/build.js';
import { CALLER_ID } from '../support/scenario.js';
import { createEdgeScenario, type EdgeScenario, expectProblem, send, signedMessage } from './support/edge-checks.js';
import { freePort, type RuntimeProcess, startRuntime } from './support/runtime-process.js';

/**
 * examples/edge-worker as written: its build (esbuild, workerd condition) and its config.capnp
 * served by workerd from npm, with this test's port and trust configuration in place of the
 * example's. Fails when workerd cannot start.
 */
const example = new URL('../../examples/edge-worker/', import.meta.url).pathname;
const workerdBin = (createRequire(import.meta.url)('workerd') as { default: string }).default;

describe('examples/edge-worker on workerd (web-crypto backend)', () => {
  let scenario: EdgeScenario;
  let runtime: RuntimeProcess | undefined;
  let work: string;
  let base: string;

  before(async () => {
    scenario = await createEdgeScenario();
    work = mkdtempSync(join(tmpdir(), 'wimse-pep-edge-example-'));
    mkdirSync(join(work, 'dist'));
    await buildWorker(join(work, 'dist', 'worker.js'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = readFileSync(join(example, 'config.capnp'), 'utf8');
    assert.match(config, /127\.0\.0\.1:8787/);
    writeFileSync(join(work, 'config.capnp'), config.replace('127.0.0.1:8787', `127.0.0.1:${port}`));
    writeFileSync(join(work, 'trust.json'), JSON.stringify(scenario.config.verifier));
    runtime = await startRuntime(workerdBin, ['serve', join(work, 'config.capnp')], `${base}/health`);
  });
  after(async () => {
    await runtime?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('GET /health is public; a signed GET /orders/7 names the caller; its replay is refused', async () => {
    assert.equal((await send(base, { method: 'GET', path: '/health', headers: {} })).status, 200);
    const message = await signedMessage(scenario, 'GET', '/orders/7');
    const answer = await send(base, message);
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.json, { order: '7', caller: CALLER_ID });
    expectProblem(await send(base, message), 400, 'replay');
  });

  it("POST /orders: the route's policy (trust domain example.com) refuses a td.example caller with 403", async () => {
    const message = await signedMessage(scenario, 'POST', '/orders', '{"item":"book"}');
    expectProblem(await send(base, message), 403, 'policy_denied');
    expectProblem(await send(base, { method: 'GET', path: '/orders/7', headers: {} }), 401, 'credentials_missing');
  });
});
