import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describeServerRuntime } from './support/server-runtime.js';

/** Bun from the `bun` npm package (its install script links the binary: pnpm onlyBuiltDependencies). */
const packageDir = dirname(createRequire(import.meta.url).resolve('bun/package.json'));

describeServerRuntime({
  name: 'bun',
  binary: join(packageDir, 'bin', 'bun.exe'),
  entry: 'test/edge/app/serve-bun.ts',
  args: (file) => ['run', file],
  env: (work) => ({ BUN_INSTALL_CACHE_DIR: join(work, 'bun-cache'), DO_NOT_TRACK: '1' }),
});
