import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/index.js';

export const ROOT = new URL('../../../../', import.meta.url).pathname;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `wimse-pep` in this process with captured output. */
export async function runCli(argv: string[], signal?: AbortSignal): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr };
}

/** Spawns `wimse-pep` as the workspace runs it (`pnpm wimse-pep`). */
export function spawnCli(argv: string[], env?: NodeJS.ProcessEnv) {
  return spawn(
    process.execPath,
    ['--conditions=wimse-source', '--import', 'tsx', 'packages/cli/src/main.ts', ...argv],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(env ? { env } : {}),
    },
  );
}

/** Runs a spawned `wimse-pep` to its end. */
export function runSpawned(argv: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawnCli(argv, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'wimse-cli-'));
}
