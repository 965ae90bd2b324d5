import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request as the benchmark prepared it. */
export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface WrkRun {
  readonly failures: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const SCRIPT = new URL('./replay-requests.lua', import.meta.url).pathname;

/** Whether wrk (Debian package `wrk`) is installed. */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/**
 * Sends every request once through wrk (C, one thread, `connections` keep-alive connections): a
 * far lighter generator than autocannon in Node, so the server's share of the two cores is
 * larger and steadier. Requests are written out byte for byte beforehand. The window runs from
 * wrk's first request to its last counted answer (the script prints both; wrk itself would sleep
 * for its whole -d, so it is interrupted, and then reports the latencies).
 */
export async function fireWithWrk(
  port: number,
  requests: readonly RawRequest[],
  spares: readonly RawRequest[],
  connections: number,
  expectCaller: boolean,
): Promise<WrkRun> {
  if (spares.length < connections) throw new Error('wrk needs one spare request per connection');
  const dir = mkdtempSync(join(tmpdir(), 'wimse-bench-'));
  try {
    const file = join(dir, 'requests.bin');
    writeFileSync(file, [...requests, ...spares].map((request) => `${serialize(request, port)}\0`).join(''));
    const child = spawn(
      'wrk',
      ['-t1', `-c${connections}`, '-d600s', '--timeout', '30s', '-s', SCRIPT, `http://127.0.0.1:${port}`],
      {
        env: {
          ...process.env,
          WRK_REQUESTS: file,
          WRK_COUNT: String(requests.length),
          WRK_EXPECT_CALLER: expectCaller ? '1' : '0',
        },
      },
    );
    let output = '';
    let stderr = '';
    let started: bigint | undefined;
    let completed: bigint | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      const now = process.hrtime.bigint();
      output += chunk.toString();
      if (started === undefined && output.includes('WRK_START')) started = now;
      if (completed === undefined && output.includes('WRK_COMPLETE')) {
        completed = now;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const line = output.split('\n').find((text) => text.startsWith('WRK_RESULT '));
    if (!line || started === undefined || completed === undefined) {
      throw new Error(`wrk failed (${code}): ${stderr || output}`);
    }
    const [answered, failures, , p50, p99, ...first] = line.slice('WRK_RESULT '.length).split(' ');
    if (Number(answered) !== requests.length) {
      throw new Error(`wrk received ${answered} answers for ${requests.length} requests`);
    }
    if (Number(failures) > 0) console.error(`  unexpected response ${first.join(' ')}`);
    return {
      failures: Number(failures),
      seconds: Number(completed - started) / 1e9,
      p50Ms: Number(p50) / 1000,
      p99Ms: Number(p99) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function serialize(request: RawRequest, port: number): string {
  const lines = [`${request.method} ${request.path} HTTP/1.1`];
  // A signed request carries the Host its signature covers (@authority); the others get the server's.
  const hasHost = Object.keys(request.headers).some((name) => name.toLowerCase() === 'host');
  if (!hasHost) lines.push(`host: 127.0.0.1:${port}`);
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  const body = request.body ?? '';
  if (request.method !== 'GET' || body.length > 0) lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
