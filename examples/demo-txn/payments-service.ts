/**
 * The second service (Fastify + @wimse-pep/fastify): orders may charge up to 500 in a transaction
 * that grants `payments:charge`, read from the verified Txn-Token, never from the caller's body
 * alone. It records the charge in the ledger with a Workload Proof Token, whose `tth` binds the
 * same Txn-Token.
 */
import { forwardTransactionToken } from '@wimse-pep/client';
import { allOf, allowWorkloads, requireScope, requireTransactionContext } from '@wimse-pep/core';
import { wimse } from '@wimse-pep/fastify';
import Fastify from 'fastify';
import type { ChainServiceOptions } from './orders-service.js';
import { describeEvent, listenOnLoopback, startWorkload } from './workload.js';

export async function startPaymentsService(options: ChainServiceOptions) {
  const listening = await listenOnLoopback();
  const self = await startWorkload(options.issuer, options.id, 'wpt');
  const app = Fastify({ serverFactory: (handler) => listening.server.on('request', handler) });
  await app.register(wimse, {
    verifier: { trustDomains: [options.issuer.trust], audiences: [listening.url] },
    transactionTokens: options.issuer.transactionTokens,
    audit: (event) => options.log(describeEvent(event)),
  });
  const policy = allOf(
    allowWorkloads(options.callerId),
    requireScope('payments:charge'),
    // The amount the user authorized is in the immutable context, not in what orders sends.
    requireTransactionContext(({ tctx }) => typeof tctx?.amount === 'number' && tctx.amount <= 500),
  );
  app.post<{ Body: { amount: number } }>(
    '/charges',
    { config: { wimse: { transactionToken: 'required', policy } } },
    async (request, reply) => {
      const transaction = request.workload?.transaction;
      if (request.body.amount !== transaction?.tctx?.amount) {
        return reply.code(409).send({ code: 'amount_differs_from_transaction' });
      }
      options.log(`handler: charging ${request.body.amount} for ${transaction.sub}, recording it in the ledger`);
      const entry = await self.fetch(`${options.nextUrl}/entries`, {
        method: 'POST',
        headers: forwardTransactionToken(request.headers),
      });
      return { charged: request.body.amount, ledger: await entry.json() };
    },
  );
  await app.ready();
  return { url: listening.url, close: () => app.close() };
}
