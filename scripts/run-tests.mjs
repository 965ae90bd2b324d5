// Runs every *.test.ts under packages/*/test and test/ with node:test through tsx, resolving
// workspace packages to their TypeScript sources (the `wimse-source` export condition).
// Node 20's --test does not expand globs, hence this script. Extra arguments narrow the run:
// `pnpm test packages/core` runs only the files whose path contains one of them.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function collect(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'fixtures') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...collect(path));
    else if (entry.name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

const roots = [
  join(root, 'test'),
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'test')),
];
const files = roots
  .flatMap((dir) => {
    try {
      return collect(dir);
    } catch {
      return [];
    }
  })
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--conditions=wimse-source', '--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
