/**
 * A small orders service protected by @wimse-pep/koa on @koa/router. Trust comes from the
 * environment: see README.md.
 *
 *   WIMSE_TRUST_FILE=./trust.json PORT=3002 pnpm --filter example-koa-service start
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { allowTrustDomain, allowWorkloads } from '@wimse-pep/core';
import { requireWorkload, wimse } from '@wimse-pep/koa';
import Koa from 'koa';
import { trustFromEnv } from '../shared/trust-from-env.js';

const verifier = trustFromEnv();
const trustDomain = verifier.trustDomains[0]?.trustDomain ?? 'example.com';
const writers = (process.env.WIMSE_WRITERS ?? `wimse://${trustDomain}/service/checkout`).split(',');

const pep = wimse({
  verifier,
  // One JSON line per decision; events never carry tokens, signatures or keys.
  audit: (event) => console.log(JSON.stringify({ wimse: event })),
  exposeErrorDetail: process.env.NODE_ENV === 'development',
});

const app = new Koa();
// Mounted before the PEP: health checks carry no workload identity (mode off).
const publicRoutes = new Router();
publicRoutes.get('/health', (ctx) => {
  ctx.body = { ok: true };
});
app.use(publicRoutes.routes());
// Everything below requires a verified workload; the PEP reads the raw body for the
// Content-Digest check first, then @koa/bodyparser parses the same bytes.
app.use(pep);
app.use(bodyParser());

const router = new Router();
// Any workload of the trust domain may read orders.
router.get('/orders/:id', requireWorkload(allowTrustDomain(`wimse://${trustDomain}`)), (ctx) => {
  ctx.body = { id: ctx.params.id, readBy: ctx.state.workload?.id };
});
// Only the listed workloads may create orders.
router.post('/orders', requireWorkload(allowWorkloads(...writers)), (ctx) => {
  ctx.status = 201;
  ctx.body = { order: ctx.request.body, by: ctx.state.workload?.id };
});
app.use(router.routes());

const port = Number(process.env.PORT ?? 3002);
app.listen(port, '127.0.0.1', () => console.log(`koa-service listening on http://127.0.0.1:${port}`));
