/**
 * The service measured by bench/replay-store-replicated.bench.ts (here, inside packages/redis, so that
 * it resolves this package and node-redis as the package's own tests do): Express + wimse-pep with the
 * replay store chosen by STORE (memory | node-redis | ioredis) on the Redis primary REDIS_PORT,
 * with DURABLE_REPLICAS=n for the durability setting (WAIT n, 100 ms) and AUTO_PIPELINING=1 for
 * ioredis' enableAutoPipelining. Prints {"listening":port}.
 */
import type { AddressInfo } from 'node:net';
import type { ReplayStore } from '@wimse-pep/core';
import { wimse } from '@wimse-pep/express';
import { createRedisReplayStore } from '@wimse-pep/redis';
import express from 'express';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { trustFromEnv } from '../../../examples/shared/trust-from-env.js';

const store = process.env.STORE ?? 'memory';
const port = Number(process.env.REDIS_PORT);
const durableReplicas = Number(process.env.DURABLE_REPLICAS ?? 0);
let replayStore: ReplayStore | undefined;
if (store !== 'memory') {
  let client: unknown;
  if (store === 'ioredis') {
    const io = new Redis(port, '127.0.0.1', { enableAutoPipelining: process.env.AUTO_PIPELINING === '1' });
    io.on('error', () => {});
    await new Promise((resolve) => io.once('ready', resolve));
    client = io;
  } else {
    const nodeRedis = createClient({ url: `redis://127.0.0.1:${port}` });
    nodeRedis.on('error', () => {});
    await nodeRedis.connect();
    client = nodeRedis;
  }
  replayStore = createRedisReplayStore({
    client: client as never,
    keyPrefix: '{wimse}:nonce:',
    topologyCheck: 'off',
    ...(durableReplicas > 0 ? { durability: { replicas: durableReplicas, timeoutMs: 100 } } : {}),
  });
}

const pep = wimse({
  verifier: { ...trustFromEnv(), ...(replayStore ? { replayStore, replayStoreTimeoutMs: 1000 } : {}) },
});
const app = express();
app.use(pep);
app.get('/orders/:id', (req, res) => {
  res.json({ id: req.params.id });
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ listening: (server.address() as AddressInfo).port }));
});
process.once('SIGTERM', () => process.exit(0));
