import { build } from 'esbuild';

/**
 * Bundles the Worker as workerd loads it: the `workerd` and `worker` conditions select the core's
 * Web Crypto backend; no `node:` module is external, so one left in the bundle fails the build.
 */
export async function buildWorker(outfile = new URL('dist/worker.js', import.meta.url).pathname): Promise<void> {
  await build({
    entryPoints: [new URL('src/worker.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser', 'wimse-source', 'import', 'module'],
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildWorker();
