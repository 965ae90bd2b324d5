/**
 * `pnpm install --frozen-lockfile` as on a clean clone: the workspace's manifests and lockfile are
 * copied into an empty directory outside the repository and installed there (from the pnpm store,
 * the registry only for what it lacks). The install must succeed without the "Ignored build
 * scripts" warning: every dependency with a build script is declared in pnpm-workspace.yaml.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const copy = mkdtempSync(join(tmpdir(), 'wimse-pep-install-'));
after(() => rmSync(copy, { recursive: true, force: true }));

/** The workspace's package directories, from the `dir/*` patterns of pnpm-workspace.yaml. */
function workspaceDirs(): string[] {
  const manifest = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const list = /^packages:\n((?:[ \t]+-.*\n)+)/m.exec(manifest)?.[1] ?? '';
  const patterns = [...list.matchAll(/-\s*['"]?([^'"\s]+)/g)].map((match) => match[1] ?? '');
  assert.ok(patterns.length > 0, 'pnpm-workspace.yaml lists no packages');
  return patterns.flatMap((pattern) => {
    assert.ok(pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*'), `unsupported pattern ${pattern}`);
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json')))
      .map((entry) => join(parent, entry.name));
  });
}

/** What pnpm reads of a workspace package: its manifest, and the files its `bin` names (it links them). */
function copyPackage(dir: string): void {
  const manifestPath = join(root, dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  for (const file of ['package.json', ...bins]) cpSync(join(root, dir, file), join(copy, dir, file));
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, output: `${stdout}${stderr}` });
    });
  });
}

describe('pnpm install on a clean clone', () => {
  it('installs with the frozen lockfile and warns about no build script', { timeout: 300_000 }, async () => {
    assert.ok(relative(root, copy).startsWith('..'), 'the copy must be outside the workspace');
    for (const file of ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml', '.npmrc']) {
      if (existsSync(join(root, file))) cpSync(join(root, file), join(copy, file));
    }
    const dirs = workspaceDirs();
    for (const dir of dirs) copyPackage(dir);
    assert.ok(dirs.includes(join('packages', 'core')), `the workspace was not found: ${dirs}`);

    const { code, output } = await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], copy);
    assert.equal(code, 0, output);
    assert.ok(existsSync(join(copy, 'node_modules', '.modules.yaml')), `nothing was installed:\n${output}`);
    assert.doesNotMatch(output, /Ignored build scripts/i, 'declare them in pnpm-workspace.yaml');

    // esbuild's build script is skipped: tsx (the test runner's loader) works without it.
    writeFileSync(join(copy, 'typed.ts'), 'const answer: number = 6 * 7;\nconsole.log(answer);\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'typed.ts'], copy);
    assert.equal(stdout.trim(), '42');
  });
});
