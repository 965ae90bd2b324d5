/**
 * Real processes for the sidecar's end-to-end tests: the Python upstream, the sidecar itself
 * (`wimse-pep proxy` as the workspace runs it), and free ports. Every child still running is
 * killed when the test process exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { spawnCli } from '../support/run-cli.js';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface EchoUpstream {
  readonly origin: string;
  readonly port: number;
  /** How many requests (other than the count itself) reached it. */
  count(): Promise<number>;
  stop(): Promise<void>;
}

/** What the upstream saw of one request. */
export interface Echoed {
  readonly method: string;
  readonly target: string;
  readonly headers: [string, string][];
  readonly body: string;
  /** The port of the connection it came on (the same one again: a kept-alive connection). */
  readonly peer: number;
}

export function fieldValues(echoed: Echoed, name: string): string[] {
  return echoed.headers.filter(([field]) => field === name).map(([, value]) => value);
}

/** The Python upstream on 127.0.0.1, or on `socketPath` (then `origin` and `count` are unusable). */
export async function startEchoUpstream(socketPath?: string): Promise<EchoUpstream> {
  const script = new URL('./echo-upstream.py', import.meta.url).pathname;
  const child = spawn('python3', socketPath === undefined ? [script] : [script, socketPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const line = await firstLine(child, /^(\d+)$/m, 'python3 echo-upstream.py (python3 must be installed)');
  const port = Number(line[1]);
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    async count() {
      const response = await fetch(`${origin}/__count`);
      return ((await response.json()) as { count: number }).count;
    },
    stop: () => stop(child),
  };
}

export interface RunningSidecar {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  stdout(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `wimse-pep proxy` and waits for its "listening on" line. */
export async function startSidecar(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningSidecar> {
  const child = spawnCli(['proxy', ...args], { ...process.env, ...env });
  track(child);
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  const line = await firstLine(child, /listening on (\S+)/, 'wimse-pep proxy', () => stderr);
  return {
    url: line[1] as string,
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

function firstLine(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
  stderr: () => string = () => '',
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', (error) => reject(new Error(`${what} could not start: ${error.message}`)));
    child.once('exit', (code) =>
      reject(new Error(`${what} exited with ${code} before it was ready:\n${out}\n${err}\n${stderr()}`)),
    );
  });
}
