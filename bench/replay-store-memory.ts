/**
 * Bytes per live nonce in the in-memory replay store: the heap after filling a store with
 * `count` live nonces (the client's format: 16 random bytes, base64url), minus the heap of the
 * same nonce strings alone, divided by `count`. Needs --expose-gc:
 *
 *   pnpm bench:replay-memory    prints a table and writes bench/results/replay-store-memory.md
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { MemoryReplayStore } from '@wimse-pep/core';

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export interface MemoryMeasurement {
  readonly count: number;
  readonly bytesPerNonce: number;
  readonly heapMiB: number;
}

export async function measureBytesPerLiveNonce(count: number): Promise<MemoryMeasurement> {
  const nowMs = Date.now();
  const nonces = Array.from({ length: count }, () => randomBytes(16).toString('base64url'));
  const before = heapAfterGc();
  const store = new MemoryReplayStore({ max: count, now: () => nowMs });
  // Expiries spread over a 120 s window (60 s lifetime + 60 s tolerance), as under steady load.
  for (let i = 0; i < count; i++) await store.addIfAbsent(nonces[i] as string, nowMs + 1 + (i % 120_000), nowMs);
  const after = heapAfterGc();
  // Both stay reachable until after the second measurement.
  if (store.size !== count || nonces.length !== count) throw new Error(`expected ${count} live nonces`);
  return { count, bytesPerNonce: (after - before) / count, heapMiB: (after - before) / 2 ** 20 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const counts = [100_000, 1_000_000];
  const rows: MemoryMeasurement[] = [];
  for (const count of counts) rows.push(await measureBytesPerLiveNonce(count));
  const lines = [
    '# MemoryReplayStore: bytes per live nonce',
    '',
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model.trim()} x ${cpus().length}.`,
    'Heap after filling a store with live nonces (16 random bytes, base64url, as the client sends),',
    'minus the heap of the nonce strings alone. Goal: at most 200 bytes.',
    '',
    '| live nonces | bytes per nonce | store heap (MiB) |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${row.count} | ${row.bytesPerNonce.toFixed(1)} | ${row.heapMiB.toFixed(1)} |`),
    '',
  ];
  writeFileSync(new URL('results/replay-store-memory.md', import.meta.url), lines.join('\n'));
  console.log(lines.join('\n'));
}
