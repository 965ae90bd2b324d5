// Starts a compiled README service the way its snippet says it listens (127.0.0.1:$PORT) and
// resolves once it answers HTTP; it rejects with the service's output if it exits or never answers.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `{ child, base }` once the service answers; kill `child` when done. */
export async function startService({ cwd, script, nodeArgs, env }) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited;
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  child.on('exit', (code, signal) => {
    exited = signal ?? code;
  });
  const base = `http://127.0.0.1:${port}`;
  // A bound on the wait for startup only, so that a broken service fails the run instead of hanging it.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`${script} exited (${exited}) before answering:\n${output}`);
    try {
      const response = await fetch(`${base}/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return { child, base, output: () => output };
    } catch {
      await sleep(100);
    }
  }
  child.kill();
  throw new Error(`${script} did not answer on ${base} within 30 s:\n${output}`);
}
