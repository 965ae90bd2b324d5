/**
 * The README's Express example ("Dropping it into Express, Fastify or Koa") made runnable, as a
 * user writes it against the installed packages: scripts/test-packed.mjs copies this file into a
 * fresh npm project, compiles it with tsc and runs it. The issuer's key set is a local file.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { allowTrustDomain, allowWorkloads, type TrustDomainOptions } from '@wimse-pep/core';
import { requireWorkload, wimse } from '@wimse-pep/express';
import express, { type Request, type Response } from 'express';

const jwksFile = process.env.JWKS_FILE;
if (!jwksFile) throw new Error('set JWKS_FILE to the issuer key set');
const trustDomains: TrustDomainOptions[] = [
  {
    trustDomain: 'example.com',
    issuers: [{ issuer: 'https://issuer.example.com', jwks: JSON.parse(readFileSync(jwksFile, 'utf8')) }],
  },
];
const health = (_req: Request, res: Response) => {
  res.json({ ok: true });
};
const refund = (req: Request, res: Response) => {
  res.status(201).json({ refund: req.body, by: req.workload?.id });
};

const app = express();
const pep = wimse({ verifier: { trustDomains, audiences: ['https://refunds.internal.example'] } });
app.get('/health', pep.withMode('off'), health); // registered before app.use(pep): public
app.use(pep); // everything below requires a workload
app.use(express.json());
app.get('/orders/:id', requireWorkload(allowTrustDomain('wimse://example.com')), (req, res) => {
  res.json({ caller: req.workload?.id });
});
app.post('/refunds', requireWorkload(allowWorkloads('wimse://example.com/service/billing')), refund);

const server = app.listen(0, '127.0.0.1', () => {
  console.log(`listening on ${(server.address() as AddressInfo).port}`);
});
