/**
 * The Transaction Token demo, end to end on 127.0.0.1 with ephemeral ports, in one process:
 *
 *   checkout ──► orders (Express) ──► payments (Fastify) ──► ledger (Koa)
 *        Txn-Token from the Transaction Token Service, forwarded unchanged at every hop
 *
 * A DEVELOPMENT identity server (startDevIssuer) issues each workload its WIT and, as a
 * Transaction Token Service with a key of its own, the Txn-Token that checkout starts the
 * transaction with (user alice, scopes, the amount she authorized in `tctx`). Each service
 * verifies its caller (WIT and HTTP signature, or WPT) and then the Txn-Token bound to that proof,
 * and its policy reads the context. Then: the token swapped in transit, a token without the
 * payments scope, an amount over the limit, a token from another service's keys, and none at all;
 * each must be refused where it should. Exit code 0 when every step behaved as expected, 1 otherwise.
 *
 *   pnpm demo:txn      (or: node --conditions=wimse-source --import tsx examples/demo-txn/run-txn-demo.ts)
 */
import { startDevIssuer, type TxnTokenRequest } from '@wimse-pep/cli';
import { createWimseFetch, type WimseFetch } from '@wimse-pep/client';
import { tokenHash } from '@wimse-pep/core/signing';
import { startLedgerService } from './ledger-service.js';
import { startOrdersService } from './orders-service.js';
import { startPaymentsService } from './payments-service.js';
import { startWorkload } from './workload.js';

const TRUST_DOMAIN = 'demo.example';
const CHECKOUT = `wimse://${TRUST_DOMAIN}/service/checkout`;
const ORDERS = `wimse://${TRUST_DOMAIN}/service/orders`;
const PAYMENTS = `wimse://${TRUST_DOMAIN}/service/payments`;
const LEDGER = `wimse://${TRUST_DOMAIN}/service/ledger`;

const out = (line = '') => process.stdout.write(`${line}\n`);
const heading = (title: string) => out(`\n== ${title} ==`);
const logAs = (who: string) => (line: string) => out(`   ${who}: ${line}`);

const safety = setTimeout(() => {
  out('the demo took too long');
  process.exit(1);
}, 30_000);
safety.unref();

const issuer = await startDevIssuer({ trustDomain: TRUST_DOMAIN, witLifetimeSec: 600 });
const ledger = await startLedgerService({ issuer, id: LEDGER, callerId: PAYMENTS, log: logAs('ledger') });
const payments = await startPaymentsService({
  issuer,
  id: PAYMENTS,
  callerId: ORDERS,
  nextUrl: ledger.url,
  log: logAs('payments'),
});
const orders = await startOrdersService({
  issuer,
  id: ORDERS,
  callerId: CHECKOUT,
  nextUrl: payments.url,
  log: logAs('orders'),
});
const checkout = await startWorkload(issuer, CHECKOUT);

/** What checkout asks the Transaction Token Service for, over HTTP, as a workload would. */
async function obtainTxnToken(request: Partial<TxnTokenRequest> = {}): Promise<string> {
  const body: TxnTokenRequest = {
    sub: 'user:alice',
    scope: 'orders:write payments:charge',
    req_wl: CHECKOUT,
    tctx: { action: 'purchase', amount: 125 },
    rctx: { req_ip: '203.0.113.9' },
    ...request,
  };
  const response = await fetch(`${issuer.url}/txn-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`the Transaction Token Service refused: ${await response.text()}`);
  return ((await response.json()) as { txn_token: string }).txn_token;
}

/** The claims of a Txn-Token, for display: the token itself is never printed. */
function describeToken(token: string): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
  const { txn, sub, scope, req_wl, tctx, aud } = claims as Record<string, unknown>;
  return `txn ${txn}, sub ${sub}, scope "${scope}", req_wl ${req_wl}, aud ${aud}, tctx ${JSON.stringify(tctx)}, sha-256 ${tokenHash(token).slice(0, 12)}…`;
}

let failures = 0;
/** Checkout orders with `token` through `send`; the outcome must be `status` and, on a refusal, `code`. */
async function step(
  label: string,
  token: string | undefined,
  status: number,
  code?: string,
  send: WimseFetch = checkout.fetch,
) {
  out(`\n-- ${label}`);
  if (token !== undefined) out(`   checkout's Txn-Token: ${describeToken(token)}`);
  const response = await send(`${orders.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { 'txn-token': token }) },
    body: JSON.stringify({ item: 'espresso machine', amount: 125 }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  out(`   checkout received ${response.status} ${JSON.stringify(body)}`);
  const got = (body.code ?? body.downstream) as string | undefined;
  const expected = response.status === status && (code === undefined || got === code);
  if (!expected) failures += 1;
  out(`   ${expected ? 'AS EXPECTED' : 'UNEXPECTED'}  ${response.status}${got ? ` ${got}` : ''}`);
}

try {
  heading('1. one transaction through three services');
  await step(
    'checkout orders for alice; each hop verifies its caller and the same Txn-Token',
    await obtainTxnToken(),
    201,
  );

  heading('2. what the chain refuses');
  const swapped = await obtainTxnToken({ tctx: { action: 'purchase', amount: 5000 } });
  // A hop between checkout and orders replaces the Txn-Token: the signature covers the field.
  const swapping = createWimseFetch({
    credentials: checkout.credentials,
    fetch: (url, init) =>
      fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'txn-token': swapped } }),
  });
  await step(
    'a hop swaps the Txn-Token for one with a larger amount',
    await obtainTxnToken(),
    400,
    'signature_invalid',
    swapping,
  );
  await step(
    'a Txn-Token without payments:charge: orders accepts, payments refuses',
    await obtainTxnToken({ scope: 'orders:write' }),
    502,
    'policy_denied',
  );
  await step(
    'an amount over the payments limit in tctx',
    await obtainTxnToken({ tctx: { action: 'purchase', amount: 900 } }),
    502,
    'policy_denied',
  );
  const other = await startDevIssuer({ trustDomain: 'other.example' });
  const foreign = (await other.issueTransactionToken({ sub: 'user:alice', scope: 'orders:write', req_wl: CHECKOUT }))
    .txn_token;
  await other.close();
  await step('a Txn-Token signed with another Transaction Token Service key', foreign, 400, 'txn_token_unknown_key');
  await step('no Txn-Token where the route requires one', undefined, 400, 'txn_token_missing');

  heading('3. the ledger');
  for (const entry of ledger.entries) out(`   ${entry}`);
  if (ledger.entries.length !== 1) failures += 1;
  out(`   ${ledger.entries.length === 1 ? 'AS EXPECTED' : 'UNEXPECTED'}  one entry, the accepted transaction`);
} finally {
  await orders.close();
  await payments.close();
  await ledger.close();
  await issuer.close();
}
out(failures === 0 ? '\nevery step behaved as expected' : `\n${failures} step(s) did not behave as expected`);
process.exit(failures === 0 ? 0 : 1);
