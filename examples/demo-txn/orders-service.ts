/**
 * The first service of the chain (Express + @wimse-pep/express): it takes orders from checkout in
 * a transaction whose Txn-Token grants `orders:write`, and charges them through payments,
 * forwarding that Txn-Token unchanged (its HTTP signature covers it).
 */
import type { DevIssuer } from '@wimse-pep/cli';
import { forwardTransactionToken } from '@wimse-pep/client';
import { allowWorkloads, requireScope } from '@wimse-pep/core';
import { requireWorkload, wimse } from '@wimse-pep/express';
import express from 'express';
import { describeEvent, listenOnLoopback, startWorkload } from './workload.js';

export interface ChainServiceOptions {
  readonly issuer: DevIssuer;
  /** This service's workload identifier. */
  readonly id: string;
  /** The one workload that may call it. */
  readonly callerId: string;
  /** The next service of the chain, when there is one. */
  readonly nextUrl?: string;
  readonly log: (line: string) => void;
}

export async function startOrdersService(options: ChainServiceOptions) {
  const listening = await listenOnLoopback();
  const self = await startWorkload(options.issuer, options.id);
  const pep = wimse({
    verifier: { trustDomains: [options.issuer.trust], audiences: [listening.url] },
    // The Transaction Token Service's keys and this trust domain as the audience of its tokens.
    transactionTokens: { ...options.issuer.transactionTokens, required: true },
    audit: (event) => options.log(describeEvent(event)),
  });
  const app = express();
  app.use(pep);
  app.use(express.json());
  app.post(
    '/orders',
    requireWorkload(allowWorkloads(options.callerId)),
    requireWorkload(requireScope('orders:write')),
    async (req, res) => {
      const transaction = req.workload?.transaction;
      options.log(`handler: order for ${transaction?.sub} in txn ${transaction?.txn}, charging payments`);
      const charge = await self.fetch(`${options.nextUrl}/charges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...forwardTransactionToken(req.headers) },
        body: JSON.stringify({ amount: req.body.amount }),
      });
      const answer = (await charge.json()) as Record<string, unknown>;
      if (!charge.ok) {
        res.status(502).json({ order: 'refused', downstream: answer.code, txn: transaction?.txn });
        return;
      }
      res.status(201).json({ order: 'accepted', txn: transaction?.txn, charge: answer });
    },
  );
  listening.server.on('request', app);
  return { url: listening.url, close: listening.close };
}
