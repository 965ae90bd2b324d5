/**
 * One replica of an orders service. Every replica shares one Redis for nonces, so a request
 * accepted by one replica is a replay on every other. Trust as in the other examples
 * (WIMSE_TRUST_FILE or WIMSE_* variables, see ../express-service/README.md).
 *
 *   REDIS_URL=redis://127.0.0.1:6379 REPLICA=a PORT=3001 WIMSE_TRUST_FILE=./trust.json pnpm --filter example-cluster replica
 *
 * Prints one JSON line `{"listening":<port>,"replica":"a"}` once it serves (PORT=0 picks a free port).
 */
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '@wimse-pep/core';
import { wimse } from '@wimse-pep/express';
import { checkRedisEviction, createRedisReplayStore } from '@wimse-pep/redis';
import express from 'express';
import { createClient } from 'redis';
import { trustFromEnv } from '../shared/trust-from-env.js';

const replica = process.env.REPLICA ?? String(process.pid);
// REPLAY_STORE=memory: the same service on the in-memory store (one replica only; for comparison).
const useRedis = process.env.REPLAY_STORE !== 'memory';
const redis = createClient({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  // Reconnect quickly after an outage; meanwhile every request is a 503, never accepted unchecked.
  socket: { reconnectStrategy: (retries) => Math.min(50 * (retries + 1), 1000) },
});
redis.on('error', (error: Error) => console.error(JSON.stringify({ replica, redis: error.message })));
if (useRedis) {
  await redis.connect();
  // Refuse to start on a Redis that may evict live nonces (skip on a managed service without CONFIG).
  if (process.env.SKIP_EVICTION_CHECK !== '1') await checkRedisEviction(redis, { onRisk: 'refuse' });
}

// How long a replay check may wait for Redis before the request is refused with 503.
const timeoutMs = Number(process.env.REPLAY_TIMEOUT_MS ?? 250);
const pep = wimse({
  verifier: {
    ...trustFromEnv(),
    ...(useRedis
      ? {
          replayStore: createRedisReplayStore({ client: redis, keyPrefix: '{wimse}:nonce:', timeoutMs }),
          replayStoreTimeoutMs: Math.max(1000, timeoutMs),
        }
      : {}),
  },
  exposeErrorDetail: process.env.NODE_ENV === 'development',
  audit: process.env.AUDIT === '1' ? (event: AuditEvent) => console.log(JSON.stringify({ wimse: event })) : undefined,
});

const app = express();
app.get('/health', pep.withMode('off'), (_req, res) => {
  res.json({ ok: true, replica });
});
app.use(pep);
app.get('/orders/:id', (req, res) => {
  res.json({ id: req.params.id, replica, caller: req.workload?.id });
});

const server = app.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
  console.log(JSON.stringify({ listening: (server.address() as AddressInfo).port, replica }));
});
const shutdown = () => {
  server.close();
  if (useRedis) redis.destroy();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
