import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describeServerRuntime } from './support/server-runtime.js';

/** Deno from the `deno` npm package (its install script places the binary beside it). */
const packageDir = dirname(createRequire(import.meta.url).resolve('deno/package.json'));

describeServerRuntime({
  name: 'deno',
  binary: join(packageDir, 'deno'),
  entry: 'test/edge/app/serve-deno.ts',
  args: (file) => ['run', '--allow-net=127.0.0.1', '--allow-env', '--no-prompt', file],
  env: (work) => ({ DENO_DIR: join(work, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }),
});
