import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch, type SentRequest, type WimseFetch } from '@wimse-pep/client';
import { contentDigest } from '@wimse-pep/core/signing';
import { generateTestKey } from '../../../test/support/index.js';
import { CALLER_ID, startTestService, type TestService, TestTrust } from './support/test-service.js';

const trust = new TestTrust();
const callerKey = generateTestKey('EdDSA');
let service: TestService;
let wimseFetch: WimseFetch;
const sent: SentRequest[] = [];

before(async () => {
  service = await startTestService(trust);
  wimseFetch = createWimseFetch({
    credentials: { wit: await trust.wit(CALLER_ID, callerKey), privateKey: callerKey.privateKey },
    onRequest: (request) => sent.push(request),
  });
});
after(() => service.close());

const lastSeen = () => service.seen.at(-1);
const lastSent = () => sent.at(-1);

describe('createWimseFetch: signed requests to a real server', () => {
  it('a GET round trip: the server verifies the caller identity', async () => {
    const response = await wimseFetch(`${service.origin}/orders/7?expand=items#fragment`);
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { id: string };
    assert.equal(answer.id, CALLER_ID);
    const headers = lastSeen()?.headers ?? {};
    assert.equal(lastSeen()?.target, '/orders/7?expand=items');
    assert.match(String(headers['signature-input']), /^sig1=\("@method" "@path" "@query" "workload-identity-token"\)/);
    assert.match(String(headers['signature-input']), /;tag="wimse-workload-to-workload"/);
    // wimse-aud: the target URI without query or fragment
    assert.match(String(headers['signature-input']), new RegExp(`;wimse-aud="${service.origin}/orders/7"`));
    assert.doesNotMatch(String(headers['signature-input']), /wimse-sign-response/);
    assert.equal(headers['content-digest'], undefined);
  });

  it('each request gets a fresh random nonce of at least 128 bits and a short lifetime', async () => {
    await wimseFetch(`${service.origin}/a`);
    await wimseFetch(`${service.origin}/a`);
    const [first, second] = sent.slice(-2);
    assert.ok(first?.nonce && second?.nonce);
    assert.notEqual(first.nonce, second.nonce);
    assert.ok(Buffer.from(first.nonce, 'base64url').byteLength >= 16);
    const input = first.headers['signature-input'] ?? '';
    const created = Number(/;created=(\d+)/.exec(input)?.[1]);
    const expires = Number(/;expires=(\d+)/.exec(input)?.[1]);
    assert.ok(expires - created > 0 && expires - created <= 300);
  });

  it('a POST with a JSON body: Content-Digest over the exact bytes sent, content-type covered', async () => {
    const json = JSON.stringify({ item: 'ice cream', quantity: 2, note: 'crème brûlée' });
    const response = await wimseFetch(`${service.origin}/orders`, {
      method: 'post',
      headers: { 'Content-Type': 'application/json' },
      body: json,
    });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(((await response.json()) as { body: string }).body, json);
    const seen = lastSeen();
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.headers['content-digest'], contentDigest(new TextEncoder().encode(json)));
    assert.match(String(seen?.headers['signature-input']), /"content-type" "content-digest"/);
  });

  it('Uint8Array, ArrayBuffer, URLSearchParams and Blob bodies are signed as sent', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    for (const body of [bytes, bytes.buffer.slice(0), new URLSearchParams({ a: '1', b: 'x y' }), new Blob(['blob'])]) {
      const response = await wimseFetch(`${service.origin}/upload`, { method: 'PUT', body });
      assert.equal(response.status, 200, await response.text());
    }
    assert.equal(lastSeen()?.body, 'blob');
    const form = service.seen.at(-2);
    assert.equal(form?.body, 'a=1&b=x+y');
    assert.equal(form?.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
  });

  it('a body reused and changed by the caller after the call still matches its digest', async () => {
    const buffer = new TextEncoder().encode('original');
    const pending = wimseFetch(`${service.origin}/reuse`, { method: 'POST', body: buffer });
    buffer.fill(65);
    assert.equal((await pending).status, 200);
    assert.equal(lastSeen()?.body, 'original');
  });

  it('a non-normalized method (patch) is signed exactly as fetch sends it', async () => {
    const response = await wimseFetch(`${service.origin}/orders/7`, { method: 'PATCH', body: '{}' });
    assert.equal(response.status, 200);
    assert.equal(lastSeen()?.method, 'PATCH');
  });

  it('a Request object without a body is accepted, its headers kept', async () => {
    const request = new Request(`${service.origin}/from-request?q=1`, { headers: { 'x-trace': 'abc' } });
    const response = await wimseFetch(request);
    assert.equal(response.status, 200);
    assert.equal(lastSeen()?.headers['x-trace'], 'abc');
    assert.equal(lastSent()?.target, '/from-request?q=1');
  });

  it('an explicit audience is used as wimse-aud', async () => {
    const other = createWimseFetch({
      credentials: { wit: await trust.wit(CALLER_ID, callerKey), privateKey: callerKey.privateKey },
      audience: 'https://orders.example/orders',
    });
    const response = await other(`${service.origin}/orders`);
    // The service does not answer as https://orders.example: the core refuses the audience.
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { code: string }).code, 'audience_mismatch');
    assert.match(String(lastSeen()?.headers['signature-input']), /wimse-aud="https:\/\/orders\.example\/orders"/);
  });

  it('refuses streamed bodies, FormData, a Request with a body and following redirects', async () => {
    const url = `${service.origin}/x`;
    const count = service.seen.length;
    const stream = new ReadableStream({ start: (controller) => controller.close() });
    for (const body of [stream, Readable.from(['a']) as unknown as RequestInit['body'], new FormData()]) {
      await assert.rejects(wimseFetch(url, { method: 'POST', body }), TypeError);
    }
    await assert.rejects(wimseFetch(url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit), /stream/);
    await assert.rejects(wimseFetch(new Request(url, { method: 'POST', body: 'x' })), /Request with a body/);
    await assert.rejects(wimseFetch(url, { redirect: 'follow' }), /follow/);
    await assert.rejects(wimseFetch(url, { headers: { signature: 'sig1=:AA==:' } }), /set by the signer/);
    assert.equal(service.seen.length, count, 'nothing was sent');
  });

  it('refuses a bad configuration when created', () => {
    assert.throws(() => createWimseFetch({ credentials: 42 as never }), TypeError);
    assert.throws(
      () => createWimseFetch({ credentials: { wit: 'a.b.c', privateKey: callerKey.privateKey }, lifetimeSec: 0 }),
      /lifetimeSec/,
    );
    assert.throws(
      () =>
        createWimseFetch({ credentials: { wit: 'a.b.c', privateKey: callerKey.privateKey }, profile: 'x' as never }),
      /profile/,
    );
  });

  it('the -06 profile signs @request-target with the wimse label', async () => {
    const other = createWimseFetch({
      credentials: { wit: await trust.wit(CALLER_ID, callerKey), privateKey: callerKey.privateKey },
      profile: 'http-sig-06',
    });
    // The service runs -07 and refuses it; what matters here is what was sent.
    await other(`${service.origin}/legacy?x=1`);
    assert.match(String(lastSeen()?.headers['signature-input']), /^wimse=\("@method" "@request-target"/);
  });
});
