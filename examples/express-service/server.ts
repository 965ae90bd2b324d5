/**
 * A small refunds service protected by @wimse-pep/express. Trust comes from a JSON file named by
 * WIMSE_TRUST_FILE (the core's VerifierOptions), or from WIMSE_* variables: see README.md.
 *
 *   WIMSE_TRUST_FILE=./trust.json PORT=3000 pnpm --filter example-express-service start
 */
import { type AuditEvent, allowTrustDomain, allowWorkloads } from '@wimse-pep/core';
import { requireWorkload, wimse } from '@wimse-pep/express';
import express from 'express';
import { trustFromEnv } from '../shared/trust-from-env.js';

const verifier = trustFromEnv();
const trustDomain = verifier.trustDomains[0]?.trustDomain ?? 'example.com';
const refunders = (process.env.WIMSE_REFUNDERS ?? `wimse://${trustDomain}/service/billing`).split(',');

const pep = wimse({
  verifier,
  // One JSON line per decision; events never carry tokens, signatures or keys.
  audit: (event: AuditEvent) => console.log(JSON.stringify({ wimse: event })),
  exposeErrorDetail: process.env.NODE_ENV === 'development',
});

const app = express();
// Registered before the PEP: health checks carry no workload identity (mode off).
app.get('/health', pep.withMode('off'), (_req, res) => {
  res.json({ ok: true });
});
// Everything registered below requires a verified workload. The PEP reads the raw body for the
// Content-Digest check first; express.json() then parses the same bytes as usual.
app.use(pep);
app.use(express.json());

// Any workload of the trust domain may read orders.
app.get('/orders/:id', requireWorkload(allowTrustDomain(`wimse://${trustDomain}`)), (req, res) => {
  res.json({ id: req.params.id, readBy: req.workload?.id });
});
// Only the listed workloads may issue refunds.
app.post('/refunds', requireWorkload(allowWorkloads(...refunders)), (req, res) => {
  res.status(201).json({ refund: req.body, by: req.workload?.id });
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, '127.0.0.1', () => console.log(`express-service listening on http://127.0.0.1:${port}`));
