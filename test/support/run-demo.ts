import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;

/** What a demo printed and how it ended. */
export interface DemoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a demo script (a path from the repository root) as its `pnpm demo*` command does, in its own process. */
export function runDemo(script: string): Promise<DemoRun> {
  const child = spawn(process.execPath, ['--conditions=wimse-source', '--import', 'tsx', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The lines a demo printed under the step `-- <label>`, up to its outcome line. */
export function stepOutput(stdout: string, label: string): string {
  const start = stdout.indexOf(`-- ${label}\n`);
  assert.notEqual(start, -1, `no step "${label}"`);
  const end = stdout.indexOf('\n   AS EXPECTED', start);
  const unexpected = stdout.indexOf('\n   UNEXPECTED', start);
  const stop = [end, unexpected].filter((index) => index !== -1).sort((a, b) => a - b)[0] ?? stdout.length;
  return stdout.slice(start, stdout.indexOf('\n', stop + 1));
}
