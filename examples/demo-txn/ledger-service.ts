/**
 * The last service (Koa + @wimse-pep/koa): only payments may write to the ledger, and only within
 * a transaction; each entry names the transaction and the principal it ran for.
 */
import { allowWorkloads } from '@wimse-pep/core';
import { requireWorkload, wimse } from '@wimse-pep/koa';
import Koa from 'koa';
import type { ChainServiceOptions } from './orders-service.js';
import { describeEvent, listenOnLoopback } from './workload.js';

export async function startLedgerService(options: Omit<ChainServiceOptions, 'nextUrl'>) {
  const listening = await listenOnLoopback();
  const pep = wimse({
    verifier: { trustDomains: [options.issuer.trust], audiences: [listening.url] },
    transactionTokens: options.issuer.transactionTokens,
    audit: (event) => options.log(describeEvent(event)),
  });
  const entries: string[] = [];
  const app = new Koa();
  app.use(pep.withMode({ transactionToken: 'required' }));
  app.use(requireWorkload(allowWorkloads(options.callerId)));
  app.use((ctx) => {
    const transaction = ctx.state.workload?.transaction;
    entries.push(`${transaction?.txn} ${transaction?.sub} ${transaction?.tctx?.amount}`);
    ctx.body = { entry: entries.length, txn: transaction?.txn, for: transaction?.sub };
  });
  listening.server.on('request', app.callback());
  return { url: listening.url, entries, close: listening.close };
}
