/**
 * What the durability setting costs per check: the replay store on a primary with one local
 * replica, one check at a time (so each latency is one check's own), with durability off and on
 * (`{ replicas: 1, timeoutMs: 100 }`: SET NX then WAIT 1 on a connection of the store's own),
 * over node-redis and ioredis. Rounds alternate the four so that other load hits all alike.
 *
 *   cd packages/redis && node --conditions=wimse-source --import tsx bench/durability-latency.ts
 *   (BENCH_CHECKS=3000 BENCH_ROUNDS=3 are the defaults; BENCH_WRITE=0 only prints)
 */
import { createRedisReplayStore } from '@wimse-pep/redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { recordResults } from '../../../bench/record-results.js';
import { startRedisServer } from '../../../test/support/redis-server.js';

const CHECKS = Number(process.env.BENCH_CHECKS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const primary = await startRedisServer({ args: ['--repl-diskless-sync-delay', '0'] });
const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
const io = new Redis(primary.port, '127.0.0.1');
await new Promise((resolve) => io.once('ready', resolve));
for (let waited = 0; !/slave0:.*state=online/.test(await io.info('replication')); waited++) {
  if (waited > 200) throw new Error('the replica did not sync');
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const nodeRedis = createClient({ url: primary.url });
await nodeRedis.connect();

const variants = [
  { name: 'node-redis', client: nodeRedis, durable: false },
  { name: 'node-redis', client: nodeRedis, durable: true },
  { name: 'ioredis', client: io, durable: false },
  { name: 'ioredis', client: io, durable: true },
] as const;
const samples = new Map<string, number[]>();
let prefixes = 0;
for (let round = 1; round <= ROUNDS; round++) {
  for (const variant of variants) {
    const store = createRedisReplayStore({
      client: variant.client as never,
      keyPrefix: `bench${++prefixes}:`,
      topologyCheck: 'off',
      ...(variant.durable ? { durability: { replicas: 1, timeoutMs: 100 } } : {}),
    });
    const now = Date.now();
    const name = `${variant.name}|${variant.durable ? 'on' : 'off'}`;
    const mine = samples.get(name) ?? [];
    samples.set(name, mine);
    for (let i = 0; i < 200; i++) await store.addIfAbsent(`warm-${i}`, now + 60_000, now, now);
    for (let i = 0; i < CHECKS; i++) {
      const start = process.hrtime.bigint();
      if ((await store.addIfAbsent(`n-${i}`, now + 60_000, now, now)) !== true) throw new Error('not fresh');
      mine.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    store.close();
  }
}
io.disconnect();
nodeRedis.destroy();
await replica.stop();
await primary.stop();

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] as number;
const lines = [
  'A primary and one replica, local redis-servers (no persistence), on the same shared 2-core machine as this',
  `process. ${CHECKS} checks per client and setting per round, ${ROUNDS} rounds, one check at a time.`,
  '',
  '| client | durability | p50 µs | p99 µs | added p50 µs | added p99 µs |',
  '| --- | --- | --- | --- | --- | --- |',
  ...variants.map((variant) => {
    const on = samples.get(`${variant.name}|${variant.durable ? 'on' : 'off'}`) as number[];
    const off = samples.get(`${variant.name}|off`) as number[];
    const added = (p: number) => (variant.durable ? (percentile(on, p) - percentile(off, p)).toFixed(0) : '');
    return `| ${variant.name} | ${variant.durable ? 'WAIT 1, 100 ms' : 'off'} | ${percentile(on, 50).toFixed(0)} | ${percentile(on, 99).toFixed(0)} | ${added(50)} | ${added(99)} |`;
  }),
];
recordResults(
  {
    name: 'redis-durability',
    title: 'Redis replay store: the cost of durability (WAIT 1) per check, one local replica',
    command: 'cd packages/redis && node --conditions=wimse-source --import tsx bench/durability-latency.ts',
    settings: ['BENCH_CHECKS', 'BENCH_ROUNDS'],
  },
  lines,
);
process.exit(0);
