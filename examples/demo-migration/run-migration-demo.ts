/**
 * The bearer-to-WIT migration demo, end to end on 127.0.0.1 with ephemeral ports, in one process:
 *
 *   checkout, billing (createWimseFetch) ──► orders service (Express + @wimse-pep/express, mode either)
 *   operator console (WIT)               ──► GET /migration-report
 *
 * A DEVELOPMENT identity server (startDevIssuer) issues WITs and, for callers not migrated yet,
 * bearer access tokens (`typ: at+jwt`) signed with the same key. The story: checkout calls with
 * its bearer token as it always did; the report shows it on bearer; checkout dual-sends (WIT and
 * bearer, the signature covering `authorization`), then switches to its WIT; the ratchet now
 * refuses its old bearer token, while billing, not migrated, keeps working on bearer; the report
 * shows checkout migrated. Along the way: no downgrade, no WIT as a bearer token, no dual send
 * for two workloads. Exit code 0 when every step behaved as expected, 1 otherwise.
 *
 *   pnpm demo:migration      (or: node --conditions=wimse-source --import tsx examples/demo-migration/run-migration-demo.ts)
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { formatRequest, issueWit, startDevIssuer } from '@wimse-pep/cli';
import { createWimseFetch, type SentRequest, type WimseFetch } from '@wimse-pep/client';
import type { MigrationReport } from '@wimse-pep/core';
import { startOrdersService } from './orders-service.js';

const TRUST_DOMAIN = 'demo.example';
const CHECKOUT = `wimse://${TRUST_DOMAIN}/service/checkout`;
const BILLING = `wimse://${TRUST_DOMAIN}/service/billing`;
const OPERATOR = `wimse://${TRUST_DOMAIN}/ops/console`;
const SHOW = { abbreviate: 72 };

const out = (line = '') => process.stdout.write(`${line}\n`);
const heading = (title: string) => out(`\n== ${title} ==`);

const safety = setTimeout(() => {
  out('the demo took too long');
  process.exit(1);
}, 30_000);
safety.unref();

/** A workload key pair, and its public JWK (with alg) for the identity server. */
function workloadKey(): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), alg: 'ES256' } };
}

/** Asks the identity server, over HTTP, for a WIT (`/wit`) or a bearer token (`/bearer`). */
async function obtain<T>(issuerUrl: string, path: '/wit' | '/bearer', body: unknown): Promise<T> {
  const response = await fetch(`${issuerUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`the identity server refused ${path}: ${await response.text()}`);
  return (await response.json()) as T;
}

const issuer = await startDevIssuer({ trustDomain: TRUST_DOMAIN, witLifetimeSec: 600, bearerLifetimeSec: 600 });
const sunset = new Date(Date.now() + 90 * 86_400_000);
const service = await startOrdersService({
  trustDomains: [issuer.trust],
  bearerIssuer: issuer.bearerIssuer,
  operatorId: OPERATOR,
  sunset,
  log: (line) => out(`   orders service ${line}`),
});
const ordersUrl = `${service.url}/orders`;
const bearerFor = async (sub: string) =>
  (await obtain<{ access_token: string }>(issuer.url, '/bearer', { sub, aud: service.url })).access_token;
const witFor = async (sub: string, jwk: Record<string, unknown>) =>
  (await obtain<{ wit: string }>(issuer.url, '/wit', { sub, jwk })).wit;

const checkoutKey = workloadKey();
const operatorKey = workloadKey();
const checkoutBearer = await bearerFor(CHECKOUT);
const billingBearer = await bearerFor(BILLING);
const checkoutCredentials = { wit: await witFor(CHECKOUT, checkoutKey.jwk), privateKey: checkoutKey.privateKey };
const operatorFetch = createWimseFetch({
  credentials: { wit: await witFor(OPERATOR, operatorKey.jwk), privateKey: operatorKey.privateKey },
});

out('wimse-pep migration demo: one service moves its callers from bearer tokens to WITs, caller by caller');
out(`  identity server  ${issuer.url}  DEVELOPMENT ONLY: WITs (POST /wit) and bearer tokens (POST /bearer)`);
out(`  orders service   ${service.url}  Express + @wimse-pep/express, migration mode "either"`);
out(`  callers          ${CHECKOUT} (migrates), ${BILLING} (not yet), ${OPERATOR} (reads the report)`);

const results: { label: string; ok: boolean }[] = [];
let lastSent: SentRequest | undefined;
const onRequest = (request: SentRequest) => {
  lastSent = request;
};

/** Places one order and checks the outcome: `201 <proof>` or `<status> <code>`. */
async function step(label: string, expected: string, send: () => Promise<Response>, showRequest = false) {
  out(`-- ${label}`);
  const response = await send();
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const got = response.status === 201 ? `201 ${body.proof}` : `${response.status} ${String(body.code ?? 'no code')}`;
  if (showRequest && lastSent) {
    for (const line of formatRequest(lastSent, SHOW).split('\n')) out(`   | ${line}`);
  }
  for (const name of ['deprecation', 'sunset', 'link', 'www-authenticate']) {
    const value = response.headers.get(name);
    if (value !== null) out(`   response ${name}: ${value}`);
  }
  if (response.status === 201) out(`   answer: ${JSON.stringify(body)}`);
  const ok = got === expected;
  results.push({ label, ok });
  out(`   ${ok ? 'AS EXPECTED' : 'UNEXPECTED'}  ${got}${ok ? '' : ` (expected ${expected})`}`);
  return response;
}

/** The operator reads the migration report (WIT-authenticated) and prints one line per caller. */
async function report(label: string, check: (report: MigrationReport) => boolean) {
  heading(label);
  const response = await operatorFetch(`${service.url}/migration-report`);
  const body = (await response.json()) as MigrationReport;
  if (response.status !== 200) {
    results.push({ label, ok: false });
    out(`   UNEXPECTED  ${response.status} ${JSON.stringify(body)}`);
    return;
  }
  for (const caller of body.callers) {
    const uses = Object.entries(caller.mechanisms)
      .map(([proof, use]) => `${proof} x${use?.count}`)
      .join(', ');
    out(`   ${caller.id}: ${uses}; ${caller.migrated ? `migrated at ${caller.ratchetedAt}` : 'not migrated'}`);
  }
  const { totals } = body;
  out(
    `   totals: ${totals.callers} callers, ${totals.migrated} migrated, ${totals.usingBearer} still seen with bearer`,
  );
  const ok = check(body);
  results.push({ label, ok });
  out(`   ${ok ? 'AS EXPECTED' : 'UNEXPECTED'}`);
}
const callerIn = (body: MigrationReport, id: string) => body.callers.find((caller) => caller.id === id);

const order = (fetchFn: WimseFetch) => () =>
  fetchFn(ordersUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"tea"}' });

// 1. Before the migration: both callers send bearer tokens, as they always did.
heading('1. legacy callers: a bearer token only (createWimseFetch({ bearer }))');
const checkoutLegacy = createWimseFetch({ bearer: checkoutBearer, onRequest });
await step('checkout sends its bearer token', '201 bearer', order(checkoutLegacy), true);
await step('billing sends its bearer token', '201 bearer', order(createWimseFetch({ bearer: billingBearer })));

await report('2. the migration report, before checkout migrates', (body) => {
  const checkout = callerIn(body, CHECKOUT);
  return checkout?.mechanisms.bearer?.count === 1 && !checkout.migrated && callerIn(body, BILLING)?.migrated === false;
});

// 3. Dual send: the WIT signs the request, the signature covering the bearer token beside it.
heading('3. checkout dual-sends: its WIT and its bearer token (createWimseFetch({ credentials, bearer }))');
await step(
  'checkout sends both; the WIT decides, the bearer is context',
  '201 http-signature',
  order(createWimseFetch({ credentials: checkoutCredentials, bearer: checkoutBearer, onRequest })),
  true,
);
const covered = /"authorization"/.test(lastSent?.headers['signature-input'] ?? '');
results.push({ label: 'the signature covers authorization', ok: covered });
out(`   ${covered ? 'AS EXPECTED' : 'UNEXPECTED'}  Signature-Input covers "authorization"`);

// 4. WIT only.
heading('4. checkout switches to its WIT only (createWimseFetch({ credentials }))');
await step(
  'checkout sends its WIT',
  '201 http-signature',
  order(createWimseFetch({ credentials: checkoutCredentials })),
);

// 5. The ratchet: checkout has proven possession, its bearer token is now refused.
heading('5. the ratchet: checkout has presented a valid WIT, so its bearer tokens are refused');
await step('checkout (or whoever stole it) sends its old bearer token', '401 bearer_ratcheted', order(checkoutLegacy));
await step(
  'checkout sends a freshly issued bearer token: refused too',
  '401 bearer_ratcheted',
  order(createWimseFetch({ bearer: await bearerFor(CHECKOUT) })),
);
await step(
  'billing, not migrated, still works on bearer (the ratchet is per caller)',
  '201 bearer',
  order(createWimseFetch({ bearer: billingBearer })),
);

// 6. What the PEP never does during a migration.
heading('6. what a migrating PEP never accepts');
const rogueKey = workloadKey();
const forgedWit = await issueWit({
  issuerKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  alg: 'ES256',
  kid: issuer.jwks.keys[0]?.kid, // claims to be the real identity server's key
  sub: BILLING,
  cnfJwk: rogueKey.jwk,
  ttlSec: 600,
  iss: issuer.issuer,
});
await step(
  "a forged WIT beside billing's valid bearer token: WIMSE decides, no fallback to bearer",
  '400 wit_invalid',
  order(createWimseFetch({ credentials: { wit: forgedWit, privateKey: rogueKey.privateKey }, bearer: billingBearer })),
);
await step("checkout's WIT sent as a bearer token", '401 wit_as_bearer', () =>
  // Not through createWimseFetch: the client refuses to send a WIT as a bearer token at all.
  fetch(ordersUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${checkoutCredentials.wit}`, 'content-type': 'application/json' },
    body: '{"item":"tea"}',
  }),
);
await step(
  "checkout's WIT with billing's bearer token (two workloads in one request)",
  '401 bearer_subject_mismatch',
  order(createWimseFetch({ credentials: checkoutCredentials, bearer: billingBearer })),
);

await report('7. the migration report, after checkout migrated', (body) => {
  const checkout = callerIn(body, CHECKOUT);
  const billing = callerIn(body, BILLING);
  return (
    checkout?.migrated === true &&
    (checkout.mechanisms['http-signature']?.count ?? 0) >= 2 &&
    checkout.mechanisms.bearer !== undefined &&
    billing?.migrated === false &&
    (billing.mechanisms.bearer?.count ?? 0) >= 2 &&
    body.callers[0]?.id === BILLING // callers still on bearer come first
  );
});

await Promise.all([service.close(), issuer.close()]);
const failed = results.filter((result) => !result.ok);
out();
if (failed.length > 0) {
  out(`UNEXPECTED: ${failed.map((result) => result.label).join('; ')}`);
  process.exitCode = 1;
} else {
  out(`all ${results.length} steps behaved as expected`);
}
clearTimeout(safety);
