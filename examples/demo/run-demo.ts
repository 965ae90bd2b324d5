/**
 * The wimse-pep demo, end to end on 127.0.0.1 with ephemeral ports, in one process:
 *
 *   checkout (createWimseFetch) ──► middlebox (re-originates HTTP) ──► orders service (core PEP)
 *                 ▲                                                          │
 *                 └──────────── signed response (its own WIT) ◄──────────────┘
 *
 * A DEVELOPMENT identity server (startDevIssuer) issues both workloads their WITs. The demo
 * prints one good exchange as the Cofide proof of concept does (WIT decoded, request and
 * response headers, the verified identity on both sides), then the same kind of request
 * tampered in transit, replayed, sent with a forged WIT, sent to a route the caller may not use,
 * and answered through a middlebox that strips the response signature; each must be refused
 * with its code. Then checkout sends one request with a Workload Proof Token instead of a signature
 * (accepted), and that WPT replayed is refused. Then checkout calls an inventory service over mutual TLS with a Workload Identity
 * Certificate from the identity server's development CA, and a certificate from another CA is refused. The inventory
 * service writes its decisions to a tamper-evident audit trail (@wimse-pep/audit): `wimse-pep audit verify`
 * passes on it, then fails on a copy with one record edited. Exit code 0 when every step behaved as expected, 1 otherwise.
 *
 *   pnpm --filter example-demo start      (or: node --conditions=wimse-source --import tsx examples/demo/run-demo.ts)
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNoteKey, openAuditTrail } from '@wimse-pep/audit';
import {
  createDevCertificateAuthority,
  formatRequest,
  formatResponse,
  formatWit,
  issueWit,
  startDevIssuer,
  main as wimsePep,
} from '@wimse-pep/cli';
import {
  createWimseFetch,
  mutualTlsFetch,
  ResponseVerificationError,
  responderOf,
  type SentRequest,
} from '@wimse-pep/client';
import { createVerifier, isWimseError } from '@wimse-pep/core';
import { startInventoryService } from './inventory-service.js';
import { type Middlebox, replay, startMiddlebox } from './middlebox.js';
import { startOrdersService } from './orders-service.js';

const TRUST_DOMAIN = 'demo.example';
const CHECKOUT = `wimse://${TRUST_DOMAIN}/service/checkout`;
const ORDERS = `wimse://${TRUST_DOMAIN}/service/orders`;
const SHOW = { abbreviate: 72 };

const out = (line = '') => process.stdout.write(`${line}\n`);
const heading = (title: string) => out(`\n== ${title} ==`);
const indented = (who: string) => (line: string) => out(`   ${who}: ${line}`);

const safety = setTimeout(() => {
  out('the demo took too long');
  process.exit(1);
}, 20_000);
safety.unref();

/** A workload key pair, its public JWK (with alg) for the identity server. */
function workloadKey(): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), alg: 'ES256' } };
}

/** What each workload does at start-up: ask the identity server for a WIT for its public key. */
async function obtainWit(issuerUrl: string, sub: string, jwk: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${issuerUrl}/wit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, jwk }),
  });
  if (!response.ok) throw new Error(`the identity server refused ${sub}: ${await response.text()}`);
  return ((await response.json()) as { wit: string }).wit;
}

const issuer = await startDevIssuer({ trustDomain: TRUST_DOMAIN, witLifetimeSec: 600 });
const ordersKey = workloadKey();
const checkoutKey = workloadKey();
let middlebox: Middlebox | undefined;
const service = await startOrdersService({
  trustDomains: [issuer.trust],
  // Callers know the service by the middlebox's address: that is the audience it answers as.
  audiences: () => (middlebox ? [middlebox.url] : []),
  credentials: { wit: await obtainWit(issuer.url, ORDERS, ordersKey.jwk), privateKey: ordersKey.privateKey },
  checkoutId: CHECKOUT,
  log: indented('orders service'),
});
middlebox = await startMiddlebox(service.url, indented('network'));
const box = middlebox;

const checkoutWit = await obtainWit(issuer.url, CHECKOUT, checkoutKey.jwk);
let lastSent: SentRequest | undefined;
const checkoutFetch = createWimseFetch({
  credentials: { wit: checkoutWit, privateKey: checkoutKey.privateKey },
  requireSignedResponse: {
    verifier: createVerifier({ trustDomains: [issuer.trust], audiences: ['http://checkout.invalid'] }),
    expectedId: ORDERS,
  },
  onRequest: (request) => {
    lastSent = request;
  },
});

out('wimse-pep demo: workload-to-workload authentication through a middlebox (HTTP Message Signatures)');
out(`  identity server  ${issuer.url}  DEVELOPMENT ONLY, trust domain ${TRUST_DOMAIN}`);
out(`  orders service   ${service.url}  ${ORDERS}  (node:http + @wimse-pep/core, signs its responses)`);
out(`  middlebox        ${box.url}  terminates HTTP and re-originates it to the orders service`);
out(`  checkout         ${CHECKOUT}  (createWimseFetch, requires signed responses)`);

// 1. The good exchange.
heading('checkout POSTs an order to the orders service, through the middlebox');
const orderBody = JSON.stringify({ item: 'ice cream', flavour: 'vanilla', quantity: 2 });
const orderUrl = `${box.url}/orders?priority=high`;
const post = () =>
  checkoutFetch(orderUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: orderBody });

const response = await post();
const responseBody = new Uint8Array(await response.arrayBuffer());
const responder = responderOf(response);
const sent = lastSent as SentRequest;
heading('WIT of the calling workload (header and payload)');
out(formatWit(checkoutWit));
heading('Request, as signed and sent by checkout');
out(formatRequest(sent, SHOW));
const received = service.received();
if (received) {
  heading('Request, as received by the orders service (after the middlebox)');
  out(`${received.method} ${received.target} HTTP/1.1`);
  const long = (name: string, value: string) => value.length > 72 && name.toLowerCase() !== 'signature-input';
  for (const [name, value] of received.fields) out(`${name}: ${long(name, value) ? `${value.slice(0, 72)}…` : value}`);
}
heading('Response, as received by checkout (through the middlebox)');
out(
  formatResponse(
    { status: response.status, statusText: response.statusText, headers: response.headers, body: responseBody },
    SHOW,
  ),
);
out();
out(`   checkout: verified responder ${responder?.id} (wimse-req-nonce = request nonce ${sent.nonce?.slice(0, 8)}…)`);

const results: { label: string; ok: boolean }[] = [];
results.push({
  label: 'signed exchange through the middlebox',
  ok: response.status === 201 && responder?.id === ORDERS,
});
out(`\n${results[0]?.ok ? 'ACCEPTED' : 'UNEXPECTED'}: signed request through the middlebox, verified on both sides`);

// 2. What must fail.
heading('Attacks and faults, each refused with its code');

/** The code of a refusal: the service's problem code, or the client's own verification error. */
async function outcome(attempt: () => Promise<Response | { status: number; body: string }>): Promise<string> {
  try {
    const result = await attempt();
    if (result instanceof Response) {
      const verified = responderOf(result) ? ', signed by the service' : '';
      const problem = (await result.json().catch(() => ({}))) as { code?: string };
      return `${result.status} ${problem.code ?? 'ok'}${verified}`;
    }
    return `${result.status} ${(JSON.parse(result.body) as { code?: string }).code ?? ''}`;
  } catch (error) {
    if (error instanceof ResponseVerificationError) {
      const problem = (await error.response.json().catch(() => ({}))) as { code?: string };
      // The service refused the request (unsigned problem), or checkout refused the response.
      return problem.code !== undefined
        ? `${error.response.status} ${problem.code}`
        : `checkout rejected ${error.code}`;
    }
    if (isWimseError(error)) return `checkout rejected ${error.code}`;
    throw error;
  }
}

async function expect(
  label: string,
  expected: string,
  attempt: () => Promise<Response | { status: number; body: string }>,
) {
  out(`-- ${label}`);
  const got = await outcome(attempt);
  const ok = got.startsWith(expected);
  results.push({ label, ok });
  out(`   ${ok ? 'REFUSED' : 'UNEXPECTED'}  ${got}${ok ? '' : ` (expected ${expected})`}`);
}

box.mode = 'tamper-body';
await expect('the middlebox alters the body', '400 digest_mismatch', post);
box.mode = 'tamper-query';
await expect('the middlebox alters the query', '400 signature_invalid', post);
box.mode = 'forward';

out('-- a genuine request, which the middlebox records on the wire');
const original = await post();
await original.arrayBuffer();
const captured = box.captured();
await expect('the same request replayed byte for byte', '400 replay', () => {
  if (!captured) throw new Error('nothing captured');
  return replay(box.url, captured);
});

const rogueIssuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const forgedWit = await issueWit({
  issuerKey: rogueIssuerKey,
  alg: 'ES256',
  kid: issuer.jwks.keys[0]?.kid, // claims to be the real identity server's key
  sub: CHECKOUT,
  cnfJwk: checkoutKey.jwk,
  ttlSec: 600,
  iss: issuer.issuer,
});
const forgedFetch = createWimseFetch({ credentials: { wit: forgedWit, privateKey: checkoutKey.privateKey } });
await expect('a WIT forged with another issuer key', '400 wit_invalid', () =>
  forgedFetch(orderUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: orderBody }),
);

await expect('checkout calls a route its policy does not allow', '403 policy_denied', () =>
  checkoutFetch(`${box.url}/admin/stats`),
);

box.mode = 'strip-response-signature';
await expect('the middlebox strips the response signature (R5)', 'checkout rejected signature_missing', post);
box.mode = 'forward';

// 2b. The same caller with a Workload Proof Token instead of a signature (draft-ietf-wimse-wpt-02).
heading("checkout sends a Workload Proof Token instead (createWimseFetch({ proof: 'wpt' }))");
const wptFetch = createWimseFetch({
  credentials: { wit: checkoutWit, privateKey: checkoutKey.privateKey },
  proof: 'wpt',
});
const wptResponse = await wptFetch(orderUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: orderBody,
});
await wptResponse.arrayBuffer();
const wptCaptured = box.captured();
const wptOk = wptResponse.status === 201 && wptCaptured?.headers.authorization?.startsWith('WPT ') === true;
results.push({ label: 'WPT request through the middlebox', ok: wptOk });
out(
  `${wptOk ? 'ACCEPTED' : 'UNEXPECTED'}: ${wptResponse.status}, a WPT request through the middlebox (Authorization: WPT)`,
);
await expect('the same WPT replayed byte for byte', '401 wpt_replay', () => {
  if (!wptCaptured) throw new Error('nothing captured');
  return replay(box.url, wptCaptured);
});

// 3. Transport-level identity: a Workload Identity Certificate in mutual TLS.
heading('checkout calls the inventory service over mutual TLS (a WIC from the identity server CA)');
const tlsCa = await createDevCertificateAuthority({ trustDomain: TRUST_DOMAIN });
const auditDir = mkdtempSync(join(tmpdir(), 'wimse-demo-audit-'));
const auditFile = join(auditDir, 'inventory-audit.jsonl');
const auditKey = generateNoteKey('inventory.demo.example/audit/1');
const inventoryAudit = await openAuditTrail({
  file: auditFile,
  origin: 'inventory.demo.example/audit/1',
  signingKey: auditKey.signerKey,
});
const inventory = await startInventoryService({
  trustDomains: [issuer.trust],
  tls: await tlsCa.issueServerCertificate(),
  log: indented('inventory service'),
  audit: inventoryAudit,
});
out(`  inventory service ${inventory.url}  (node:https + @wimse-pep/core guard, mutual TLS only)`);
const obtainWic = async () => {
  const answer = await fetch(`${issuer.url}/wic`, { method: 'POST', body: JSON.stringify({ sub: CHECKOUT }) });
  return (await answer.json()) as { chainPem: string; privateKeyPem: string };
};
const checkoutWic = await obtainWic();
const overMutualTls = (wic: { chainPem: string; privateKeyPem: string }) =>
  mutualTlsFetch({ certificate: wic.chainPem, privateKey: wic.privateKeyPem, ca: tlsCa.certificatePem });
const presenting = overMutualTls(checkoutWic);
const stock = await presenting(`${inventory.url}/stock`);
const stockBody = (await stock.json()) as { caller?: string };
await presenting.close();
const mtlsOk = stock.status === 200 && stockBody.caller === CHECKOUT;
results.push({ label: 'mutual TLS call with a WIC', ok: mtlsOk });
out(`${mtlsOk ? 'ACCEPTED' : 'UNEXPECTED'}: ${stock.status}, the inventory service sees ${stockBody.caller}`);

const rogueCa = await createDevCertificateAuthority({ trustDomain: TRUST_DOMAIN });
const forgedWic = await rogueCa.issueWorkloadCertificate({ id: CHECKOUT });
const forgedPresenting = overMutualTls(forgedWic);
await expect('a certificate for checkout from another CA', '400 certificate_untrusted', () =>
  forgedPresenting(`${inventory.url}/stock`),
);
await forgedPresenting.close();
await inventory.close();
await inventoryAudit.close();

// 4. The inventory service's decisions, in its tamper-evident audit trail.
heading("the inventory service's audit trail: wimse-pep audit verify");
/** Runs `wimse-pep audit verify` on a log file, printing what it prints. */
async function auditVerify(file: string): Promise<number> {
  out(`$ wimse-pep audit verify ${file.replace(auditDir, '<dir>')} --key ${auditKey.verifierKey.slice(0, 48)}…`);
  const show = (text: string) => {
    for (const line of text.trimEnd().split('\n')) out(`   ${line.replaceAll(auditDir, '<dir>')}`);
    return true;
  };
  return wimsePep(['audit', 'verify', file, '--key', auditKey.verifierKey], {
    stdout: { write: show },
    stderr: { write: show },
  });
}
const intact = await auditVerify(auditFile);
results.push({ label: 'audit log verifies', ok: intact === 0 });
out(`${intact === 0 ? 'ACCEPTED' : 'UNEXPECTED'}: the audit log is intact (exit ${intact})`);
// An intruder turns the refusal into an allow in a copy of the log.
const lines = readFileSync(auditFile, 'utf8').split('\n');
const denied = lines.findIndex((line) => line.includes('"decision":"deny"'));
const edited = join(auditDir, 'inventory-audit.edited.jsonl');
writeFileSync(
  edited,
  lines.map((line, i) => (i === denied ? line.replace('"decision":"deny"', '"decision":"allow"') : line)).join('\n'),
);
out(`-- record ${denied} edited in a copy: "decision":"deny" becomes "decision":"allow"`);
const tampered = await auditVerify(edited);
results.push({ label: 'edited audit log is refused', ok: denied > 0 && tampered === 1 });
out(`   ${denied > 0 && tampered === 1 ? 'REFUSED' : 'UNEXPECTED'}  exit ${tampered}`);
rmSync(auditDir, { recursive: true, force: true });

await Promise.all([box.close(), service.close(), issuer.close()]);
const failed = results.filter((result) => !result.ok);
out();
if (failed.length > 0) {
  out(`UNEXPECTED: ${failed.map((result) => result.label).join('; ')}`);
  process.exitCode = 1;
} else {
  out(`all ${results.length} steps behaved as expected`);
}
clearTimeout(safety);
