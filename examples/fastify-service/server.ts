/**
 * A small order service protected by @wimse-pep/fastify. Trust comes from a JSON file named by
 * WIMSE_TRUST_FILE (the core's VerifierOptions), or from WIMSE_* variables: see README.md.
 *
 *   WIMSE_TRUST_FILE=./trust.json PORT=3000 pnpm start
 */
import { allowTrustDomain, allowWorkloads } from '@wimse-pep/core';
import { wimse } from '@wimse-pep/fastify';
import Fastify from 'fastify';
import { trustFromEnv } from '../shared/trust-from-env.js';

const verifier = trustFromEnv();
const trustDomain = verifier.trustDomains[0]?.trustDomain ?? 'example.com';
const writers = (process.env.WIMSE_WRITERS ?? `wimse://${trustDomain}/service/checkout`).split(',');

const app = Fastify({ logger: true });
await app.register(wimse, {
  verifier,
  // Decisions are logged through Fastify's pino logger; events never carry tokens or keys.
  audit: app.log,
  exposeErrorDetail: process.env.NODE_ENV === 'development',
});

// Any workload of the trust domain may read orders.
app.get(
  '/orders/:id',
  { config: { wimse: { policy: allowTrustDomain(`wimse://${trustDomain}`) } } },
  async (request) => ({ id: (request.params as { id: string }).id, readBy: request.workload?.id }),
);
// Only the listed workloads may create them; the body is verified against Content-Digest first.
app.post('/orders', { config: { wimse: { policy: allowWorkloads(...writers) } } }, async (request, reply) => {
  return reply.code(201).send({ created: request.body, by: request.workload?.id });
});
// Health checks carry no workload identity.
app.get('/health', { config: { wimse: { mode: 'off' } } }, async () => ({ ok: true }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
