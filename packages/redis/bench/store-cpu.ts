/**
 * The replay store's own cost in this process, against the raw client: CPU µs per check (user +
 * system of this process, steadier than ops/s on a shared machine), 16 checks in flight, on a
 * local redis-server. AUTO=1 turns on ioredis' enableAutoPipelining. Prints only.
 *
 *   cd packages/redis && N=50000 node --conditions=wimse-source --import tsx bench/store-cpu.ts
 */
import { createRedisReplayStore } from '@wimse-pep/redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startRedisServer } from '../../../test/support/redis-server.js';

const server = await startRedisServer();
const io = new Redis(server.port, '127.0.0.1', { enableAutoPipelining: process.env.AUTO === '1' });
await new Promise((r) => io.once('ready', r));
const nr = createClient({ url: server.url });
await nr.connect();
const N = Number(process.env.N ?? 100000);
const C = 16;
async function run(name: string, op: (i: number) => Promise<unknown>) {
  let next = 0;
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) await op(next++);
    }),
  );
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  console.log(`${name}: ${(N / s).toFixed(0)} ops/s, ${((used.user + used.system) / N).toFixed(1)} µs CPU/op`);
}
const now = Date.now();
for (let round = 0; round < 2; round++) {
  await run('ioredis raw', (i) => io.call('SET', `r${round}io${i}`, '1', 'NX', 'PX', '60000'));
  await run('node-redis raw', (i) => nr.sendCommand(['SET', `r${round}nr${i}`, '1', 'NX', 'PX', '60000']));
  const sio = createRedisReplayStore({ client: io, keyPrefix: `s${round}io:`, topologyCheck: 'off' });
  await run('ioredis store', (i) => sio.addIfAbsent(`n${i}`, now + 60000, now, now));
  const snr = createRedisReplayStore({ client: nr, keyPrefix: `s${round}nr:`, topologyCheck: 'off' });
  await run('node-redis store', (i) => snr.addIfAbsent(`n${i}`, now + 60000, now, now));
}
io.disconnect();
nr.destroy();
await server.stop();
