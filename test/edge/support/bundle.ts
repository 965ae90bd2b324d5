import { build } from 'esbuild';

/**
 * Bundles an edge entry point for a runtime with the package conditions it resolves under (the
 * sources through `wimse-source`). `node:` modules stay imports of the runtime where it has them;
 * for workerd none is external, so a `node:` import left in the bundle fails the build itself.
 */
export async function bundleEdgeApp(options: {
  readonly entry: string;
  readonly outfile: string;
  readonly conditions: readonly string[];
  readonly nodeBuiltins: boolean;
}): Promise<void> {
  await build({
    entryPoints: [options.entry],
    outfile: options.outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: [...options.conditions, 'wimse-source', 'import', 'module'],
    mainFields: ['module', 'main'],
    external: options.nodeBuiltins ? ['node:*'] : [],
    logLevel: 'silent',
  });
}
