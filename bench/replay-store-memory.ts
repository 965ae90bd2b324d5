/**
 * What live nonces cost a server in the in-memory replay store: memory per live nonce (V8 heap
 * and ArrayBuffer backing stores, which the GC neither scans nor copies), the CPU time of
 * inserting them (garbage collection included, on every thread), the pause of a full GC while
 * they are held, and the CPU per insert under steady churn. The current MemoryReplayStore (an
 * off-heap table) is run next to the Set-based store it replaced (bench/replay-store-set-baseline.ts).
 *
 *   pnpm bench:replay-memory    prints a table and writes bench/results/replay-store-memory.md
 *
 * Every measurement runs in a fresh child process (--expose-gc), so one store's garbage never
 * lands on the other's account; rounds alternate the two stores, and medians are reported.
 * BENCH_ROUNDS (default 3) sets the rounds; BENCH_WRITE=0 only prints.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MemoryReplayStore, type ReplayStore } from '@wimse-pep/core';
import { recordResults } from './record-results.js';
import { SetReplayStore } from './replay-store-set-baseline.js';

const STORES = { table: 'MemoryReplayStore (off-heap table)', set: 'Set-based store (before)' } as const;
type StoreName = keyof typeof STORES;
/** Expiries spread over a 120 s window (60 s lifetime + 60 s tolerance), as under steady load. */
const WINDOW_MS = 120_000;

function gcNow(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
}

function memoryAfterGc() {
  gcNow();
  gcNow();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, arrayBuffers: usage.arrayBuffers, rss: usage.rss };
}

function createStore(name: StoreName, max: number, now: () => number): ReplayStore & { readonly size: number } {
  return name === 'table' ? new MemoryReplayStore({ max, now }) : new SetReplayStore({ max, now });
}

/** Nonces the client's length (22 chars), made on the fly: the store's digests are all that stays. */
function nonceMaker(): (i: number) => string {
  const prefix = randomBytes(11).toString('base64url').slice(0, 14);
  return (i) => `${prefix}${i.toString(36).padStart(8, '0')}`;
}

export interface MemoryMeasurement {
  readonly count: number;
  /** V8 heap per live nonce, in bytes. */
  readonly heapPerNonce: number;
  /** ArrayBuffer memory (off the V8 heap) per live nonce, in bytes. */
  readonly arrayBuffersPerNonce: number;
  readonly totalMiB: number;
}

/**
 * Fills the current MemoryReplayStore with `count` live nonces in this process and returns the
 * heap and ArrayBuffer memory it took (both after full GCs), per nonce.
 */
export async function measureBytesPerLiveNonce(count: number): Promise<MemoryMeasurement> {
  const nowMs = Date.now();
  const nonce = nonceMaker();
  const before = memoryAfterGc();
  const store = new MemoryReplayStore({ max: count, now: () => nowMs });
  for (let i = 0; i < count; i++) await store.addIfAbsent(nonce(i), nowMs + 1 + (i % WINDOW_MS), nowMs);
  const after = memoryAfterGc();
  if (store.size !== count) throw new Error(`expected ${count} live nonces`);
  const heap = after.heap - before.heap;
  const arrayBuffers = after.arrayBuffers - before.arrayBuffers;
  return {
    count,
    heapPerNonce: heap / count,
    arrayBuffersPerNonce: arrayBuffers / count,
    totalMiB: (heap + arrayBuffers) / 2 ** 20,
  };
}

interface ChildResult {
  readonly store: StoreName;
  readonly count: number;
  readonly heapPerNonce: number;
  readonly arrayBuffersPerNonce: number;
  readonly rssMiB: number;
  /** CPU time (user + system, all threads) per insert while filling, in µs. */
  readonly insertCpuUs: number;
  /** Median pause of a forced full GC with the nonces held, and with an empty store, in ms. */
  readonly fullGcMs: number;
  readonly emptyGcMs: number;
  /** CPU per insert with `count` nonces live and as many expiring as arrive. */
  readonly churnCpuUs: number;
  /** Heap + ArrayBuffer memory per live nonce after the churn (a steady load). */
  readonly churnBytesPerNonce: number;
}

function medianGcMs(): number {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    gcNow();
    times.push(performance.now() - start);
  }
  return median(times);
}

function cpuUs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/** One measurement, alone in this process. */
function runChild(name: StoreName, count: number): ChildResult {
  let nowMs = 1_800_000_000_000;
  const nonce = nonceMaker();
  const before = memoryAfterGc();
  const emptyGcMs = medianGcMs();
  // Room for the churn below, where a bucket's arrivals come in before its predecessor expires.
  const store = createStore(name, 2 * count, () => nowMs);
  const fillStart = process.cpuUsage();
  for (let i = 0; i < count; i++) store.addIfAbsentSync?.(nonce(i), nowMs + 1 + (i % WINDOW_MS), nowMs, nowMs);
  const insertCpuUs = cpuUs(fillStart) / count;
  const after = memoryAfterGc();
  if (store.size !== count) throw new Error(`expected ${count} live nonces, got ${store.size}`);
  const fullGcMs = medianGcMs();
  // Steady churn: nonces arrive at count / 120 s, each kept 120 s, so as many expire as arrive.
  const stepMs = WINDOW_MS / count;
  const churnStart = process.cpuUsage();
  for (let i = count; i < 2 * count; i++) {
    nowMs += stepMs;
    if (store.addIfAbsentSync?.(nonce(i), nowMs + WINDOW_MS, nowMs, nowMs) !== true) throw new Error('refused');
  }
  const churnCpuUs = cpuUs(churnStart) / count;
  const churned = memoryAfterGc();
  const churnBytesPerNonce = (churned.heap - before.heap + churned.arrayBuffers - before.arrayBuffers) / store.size;
  return {
    store: name,
    count,
    heapPerNonce: (after.heap - before.heap) / count,
    arrayBuffersPerNonce: (after.arrayBuffers - before.arrayBuffers) / count,
    rssMiB: (after.rss - before.rss) / 2 ** 20,
    insertCpuUs,
    fullGcMs,
    emptyGcMs,
    churnCpuUs,
    churnBytesPerNonce,
  };
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

const self = fileURLToPath(import.meta.url);

if (process.argv[1] === self && process.argv[2] === '--child') {
  const name = process.argv[3] as StoreName;
  console.log(JSON.stringify(runChild(name, Number(process.argv[4]))));
} else if (process.argv[1] === self) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const counts = [100_000, 250_000, 1_000_000];
  const results: ChildResult[] = [];
  for (const count of counts) {
    for (let round = 1; round <= rounds; round++) {
      for (const name of (round % 2 === 1 ? ['set', 'table'] : ['table', 'set']) as StoreName[]) {
        const output = execFileSync(
          process.execPath,
          ['--expose-gc', '--conditions=wimse-source', '--import', 'tsx', self, '--child', name, String(count)],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        const result = JSON.parse(output.trim().split('\n').at(-1) as string) as ChildResult;
        results.push(result);
        console.log(JSON.stringify(result));
      }
    }
  }
  const row = (name: StoreName, count: number) => {
    const mine = results.filter((r) => r.store === name && r.count === count);
    const m = (pick: (r: ChildResult) => number) => median(mine.map(pick));
    const heap = m((r) => r.heapPerNonce);
    const buffers = m((r) => r.arrayBuffersPerNonce);
    return `| ${count} | ${STORES[name]} | ${heap.toFixed(1)} | ${buffers.toFixed(1)} | ${(heap + buffers).toFixed(1)} | ${m((r) => r.rssMiB).toFixed(0)} | ${m((r) => r.insertCpuUs).toFixed(2)} | ${m((r) => r.fullGcMs).toFixed(1)} (${m((r) => r.emptyGcMs).toFixed(1)}) | ${m((r) => r.churnCpuUs).toFixed(2)} | ${m((r) => r.churnBytesPerNonce).toFixed(1)} |`;
  };
  const lines = [
    `Each cell is the median of ${rounds} runs, each in a fresh process (--expose-gc), alternating the two stores.`,
    'Nonces are 22 characters (the length the client sends), made on the fly so that only the store holds',
    'memory; expiries are spread over a 120 s window. Goal: at most 200 bytes per live nonce.',
    '',
    '- heap, ArrayBuffer: memory after two full GCs, minus before, per live nonce. The off-heap table is',
    '  ArrayBuffer memory: the GC neither scans nor copies it.',
    '- RSS: resident size grown while filling (MiB; includes what the allocator keeps).',
    '- insert CPU: user + system CPU time, all threads (GC included), per `addIfAbsentSync` while filling.',
    '- full GC: median pause of a forced full `gc()` with the nonces held (and, in parentheses, with the',
    '  store still empty), ms of wall time.',
    '- churn: then as many inserts again, the clock advancing so that as many nonces expire as arrive (a',
    '  steady load): CPU per insert, and heap + ArrayBuffer bytes per live nonce at the end.',
    '',
    '| live nonces | store | heap B/nonce | ArrayBuffer B/nonce | total B/nonce | RSS MiB | insert CPU µs | full GC ms (empty) | churn CPU µs | churn B/nonce |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...counts.flatMap((count) => [row('set', count), row('table', count)]),
    '',
    ...counts.map((count) => {
      const m = (name: StoreName, pick: (r: ChildResult) => number) =>
        median(results.filter((r) => r.store === name && r.count === count).map(pick));
      const ratio = (pick: (r: ChildResult) => number) => (m('table', pick) / m('set', pick)).toFixed(2);
      return `- ${count} live nonces, off-heap table / Set-based: memory ${ratio((r) => r.heapPerNonce + r.arrayBuffersPerNonce)}x, insert CPU ${ratio((r) => r.insertCpuUs)}x, full GC pause ${ratio((r) => r.fullGcMs)}x, churn CPU ${ratio((r) => r.churnCpuUs)}x.`;
    }),
  ];
  recordResults(
    {
      name: 'replay-store-memory',
      title: 'MemoryReplayStore: what live nonces cost',
      command: 'pnpm bench:replay-memory',
      settings: ['BENCH_ROUNDS'],
    },
    lines,
  );
}
