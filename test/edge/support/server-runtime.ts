import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleEdgeApp } from './bundle.js';
import { createEdgeScenario, type EdgeScenario, runEdgeChecks, send } from './edge-checks.js';
import { freePort, type RuntimeProcess, startRuntime } from './runtime-process.js';

const root = new URL('../../..', import.meta.url).pathname;

export interface ServerRuntime {
  /** `bun` or `deno`. */
  readonly name: string;
  readonly binary: string;
  readonly entry: string;
  /** The command line that runs `file` (a bundled ES module). */
  readonly args: (file: string) => string[];
  readonly env?: (work: string) => Record<string, string>;
}

/**
 * The runtime checks on a runtime that has node:crypto (Bun, Deno), twice: bundled under its own
 * condition (its default: the core's node:crypto backend) and with `wimse-web-crypto` (forced:
 * the Web Crypto backend). Each run asks the app which backend it loaded. A runtime that cannot
 * start fails the checks.
 */
export function describeServerRuntime(runtime: ServerRuntime): void {
  const runs = [
    { label: 'default', conditions: [runtime.name], backend: 'node:crypto' as const },
    { label: 'forced Web Crypto', conditions: ['wimse-web-crypto', runtime.name], backend: 'web-crypto' as const },
  ];
  for (const run of runs) {
    describe(`${runtime.name} (${run.label}): @wimse-pep/hono on the ${run.backend} backend`, () => {
      let scenario: EdgeScenario;
      let process: RuntimeProcess | undefined;
      let work: string;
      let base: string;

      before(async () => {
        scenario = await createEdgeScenario();
        work = mkdtempSync(join(tmpdir(), `wimse-pep-${runtime.name}-`));
        const file = join(work, 'server.mjs');
        await bundleEdgeApp({
          entry: join(root, runtime.entry),
          outfile: file,
          conditions: run.conditions,
          nodeBuiltins: true,
        });
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        process = await startRuntime(runtime.binary, runtime.args(file), `${base}/runtime`, {
          PORT: String(port),
          WIMSE_EDGE_CONFIG: JSON.stringify(scenario.config),
          ...runtime.env?.(work),
        });
      });
      after(async () => {
        await process?.stop();
        rmSync(work, { recursive: true, force: true });
      });

      it(`${run.backend} backend on ${runtime.name}: the app reports it, with node:crypto present in the runtime`, async () => {
        const report = await send(base, { method: 'GET', path: '/runtime', headers: {} });
        assert.equal(report.status, 200, report.text);
        assert.equal(report.json.backend, run.backend);
        assert.equal(report.json.nodeCrypto, true);
      });

      it(`${run.backend} backend on ${runtime.name}: signed GET/POST accepted; tampered body, replay, forged WIT, no credentials refused`, async () => {
        const passed = await runEdgeChecks(base, scenario, run.backend);
        assert.equal(passed.length, 6);
      });
    });
  }
}
