/**
 * Sidecar load benchmark (`pnpm bench:sidecar`, built packages): the same signed GET /orders
 * through `wimse-pep proxy` in front of a trivial node:http upstream, the upstream alone (no
 * verification: the floor), and Express with the wimse() middleware in-process. Every server is a
 * process of its own; autocannon runs here. Requests are signed before the measured window, each
 * with its own nonce. CPU is read from /proc for the server processes (the sidecar's figure
 * includes its upstream's), so "per core" is requests per CPU-second of the serving processes.
 * Short by design (the machine is shared): BENCH_REQUESTS (default 4000), BENCH_CONNECTIONS (20).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@wimse-pep/client';
import autocannon from 'autocannon';
import { createLoadCredentials } from './load/credentials.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const ROOT = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function start(
  command: string,
  args: string[],
  pattern: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const match = pattern.exec(out);
      if (match) resolve({ child, match });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Prepared {
  readonly path: string;
  readonly headers: Record<string, string>;
}

async function fire(port: number, requests: readonly Prepared[], pids: number[]) {
  let next = 0;
  let failures = 0;
  const cpuBefore = pids.map(cpuSeconds);
  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    amount: requests.length,
    requests: [
      {
        setupRequest: () => {
          const request = requests[next++ % requests.length] as Prepared;
          return { method: 'GET', path: request.path, headers: request.headers };
        },
        onResponse: (status) => {
          if (status !== 200) failures++;
        },
      },
    ],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = pids.map(cpuSeconds).reduce((sum, value, i) => sum + value - (cpuBefore[i] as number), 0);
  return {
    failures: failures + result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: requests.length / seconds,
    perCore: requests.length / cpu,
  };
}

const { credentials, workloadKey } = await createLoadCredentials();
const dir = mkdtempSync(join(tmpdir(), 'wimse-sidecar-bench-'));
writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [credentials.issuerJwk] }));
const tsx = ['--import', 'tsx', join(ROOT, 'bench/sidecar/servers.ts')];
const upstream = await start(process.execPath, [...tsx, 'upstream'], /^(\d+)$/m);
const upstreamPort = Number(upstream.match[1]);
const express = await start(process.execPath, [...tsx, 'express', JSON.stringify(credentials)], /^(\d+)$/m);
writeFileSync(
  join(dir, 'pep.yaml'),
  JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    upstream: { url: `http://127.0.0.1:${upstreamPort}` },
    verifier: {
      trustDomains: [{ trustDomain: credentials.trustDomain, issuers: [{ jwksFile: 'jwks.json' }] }],
      audiences: [credentials.audience],
    },
    routes: [{ path: '/' }],
  }),
);
const sidecar = await start(
  process.execPath,
  [join(ROOT, 'packages/cli/bin/wimse-pep.js'), 'proxy', '--config', join(dir, 'pep.yaml')],
  /listening on http:\/\/127\.0\.0\.1:(\d+)/,
);

async function signed(count: number): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (let i = 0; i < count; i++) {
    const request = await signRequest(
      { method: 'GET', url: `${credentials.audience}/orders`, headers: {} },
      { wit: credentials.wit, privateKey: workloadKey },
    );
    prepared.push({ path: '/orders', headers: request.headers });
  }
  return prepared;
}

const warmup = Math.max(200, REQUESTS / 10);
const plain = Array.from({ length: REQUESTS }, () => ({ path: '/orders', headers: {} }));
const peers: [string, number, () => Promise<Prepared[]>, number[]][] = [
  ['upstream alone (no verification)', upstreamPort, async () => plain, [upstream.child.pid as number]],
  [
    'sidecar + upstream',
    Number(sidecar.match[1]),
    () => signed(REQUESTS),
    [sidecar.child.pid as number, upstream.child.pid as number],
  ],
  ['express + wimse() in-process', Number(express.match[1]), () => signed(REQUESTS), [express.child.pid as number]],
];
const rows: string[] = [];
for (const [name, port, prepare, pids] of peers) {
  await fire(port, name.startsWith('upstream') ? plain.slice(0, warmup) : await signed(warmup), pids);
  const result = await fire(port, await prepare(), pids);
  if (result.failures > 0) throw new Error(`${name}: ${result.failures} failures`);
  rows.push(`| ${name} | ${result.p50} | ${result.p99} | ${Math.round(result.rps)} | ${Math.round(result.perCore)} |`);
  console.log(rows.at(-1));
}
console.log(
  [
    `\n${REQUESTS} signed GET /orders per peer after ${warmup} warm-up, ${CONNECTIONS} connections, autocannon;`,
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}`,
    '| peer | p50 ms | p99 ms | req/s | req per CPU-second |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n'),
);
for (const child of children) child.kill('SIGTERM');
