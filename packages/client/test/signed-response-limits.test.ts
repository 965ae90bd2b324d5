/**
 * A required signed response is judged on its headers before its body is read, and its body is
 * read under a size cap and a time limit. The server here is real (node:http on 127.0.0.1) and
 * hostile: endless, oversized, stalled or lying bodies, and problem codes meant to break a log
 * line. Each endless body stops at a safety limit the client must never get near; what the server
 * managed to write, and whether the client closed the connection first, is what the tests assert.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createWimseFetch, ResponseVerificationError, type WimseFetch } from '@wimse-pep/client';
import { createVerifier, type WorkloadVerifier } from '@wimse-pep/core';
import { profiles, resolveSigningKey, signResponse } from '@wimse-pep/core/signing';
import { generateTestKey } from '../../../test/support/index.js';
import { CALLER_ID, rejectsWithCode, SERVER_ID, TestTrust } from './support/test-service.js';

/** Where a body the client should have abandoned long before stops anyway (keeps a failing run finite). */
const SAFETY_STOP_BYTES = 128 * 1024 * 1024;
/** More than the client's cap plus every buffer between the two processes (socket buffers on loopback). */
const WRITTEN_BOUND_BYTES = 32 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

interface Streamed {
  /** Bytes handed to the socket before it closed or the body ended. */
  readonly bytesWritten: number;
  /** Whether the connection closed before the server finished the body. */
  readonly closedEarly: boolean;
}

const trust = new TestTrust();
const callerKey = generateTestKey('ES256');
const serverKey = generateTestKey('ES256');
let wit: string;
let serverWit: string;
let origin = '';
let verifier: WorkloadVerifier;
/** The outcome of each body the server streamed, by path. */
const streamed = new Map<string, Promise<Streamed>>();
const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    res.destroy(error as Error);
  });
});

/** Writes `total` bytes (or until the client goes away), honouring backpressure. */
function stream(req: IncomingMessage, res: ServerResponse, total: number): void {
  const path = new URL(req.url ?? '/', origin).pathname;
  streamed.set(
    path,
    new Promise<Streamed>((resolve) => {
      let bytesWritten = 0;
      let closed = false;
      res.on('close', () => {
        closed = true;
        resolve({ bytesWritten, closedEarly: !res.writableFinished });
      });
      const pump = () => {
        while (!closed && bytesWritten < total) {
          bytesWritten += CHUNK.byteLength;
          if (!res.write(CHUNK)) return void res.once('drain', pump);
        }
        if (!closed) res.end();
      };
      pump();
    }),
  );
}

/** Response signature headers over this request, for a body of `signedBody` (whatever is then sent). */
async function signedHeaders(req: IncomingMessage, raw: Buffer, signedBody: Buffer, nonce?: string) {
  const request = { method: req.method ?? '', target: req.url ?? '', headers: req.headers };
  const identity = await verifier.verify({ ...request, body: raw.byteLength > 0 ? raw : undefined });
  assert.ok(identity.proof === 'http-signature');
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  Object.assign(
    headers,
    await signResponse(
      { status: 200, headers, body: signedBody },
      request,
      resolveSigningKey({ wit: serverWit, privateKey: serverKey.privateKey }),
      {
        profile: profiles['http-sig-07'],
        requestNonce: nonce ?? identity.nonce,
      },
    ),
  );
  return headers;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const path = new URL(req.url ?? '/', origin).pathname;
  switch (path) {
    case '/endless-unsigned':
      res.writeHead(200, { 'content-type': 'text/plain' });
      return stream(req, res, SAFETY_STOP_BYTES);
    case '/endless-wrong-nonce':
      // Signed, but over another request's nonce: refusable on the headers alone.
      res.writeHead(200, await signedHeaders(req, raw, Buffer.from('short'), 'another-request'));
      return stream(req, res, SAFETY_STOP_BYTES);
    case '/endless-signed':
      // Headers that pass every check but the digest: only the body can refuse it.
      res.writeHead(200, await signedHeaders(req, raw, Buffer.from('short')));
      return stream(req, res, SAFETY_STOP_BYTES);
    case '/declared-oversized':
      res.writeHead(200, {
        ...(await signedHeaders(req, raw, Buffer.from('short'))),
        'content-length': String(SAFETY_STOP_BYTES),
      });
      return stream(req, res, SAFETY_STOP_BYTES);
    case '/stalled-signed': {
      res.writeHead(200, await signedHeaders(req, raw, Buffer.from('short')));
      res.write('sho');
      // ...and the rest never comes: the connection stays open until the client gives up.
      streamed.set(
        path,
        new Promise((resolve) =>
          res.on('close', () => resolve({ bytesWritten: 3, closedEarly: !res.writableFinished })),
        ),
      );
      return;
    }
    case '/hostile-code':
      res.writeHead(401, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({ code: 'signature_invalid\r\nX-Injected: yes', title: 'Unauthorized\r\nX-Injected: yes' }),
      );
      return;
    case '/signed-empty': {
      const headers = await signedHeaders(req, raw, Buffer.alloc(0));
      res.writeHead(200, headers).end();
      return;
    }
    default:
      res.writeHead(404).end();
  }
}

function client(requirement: { maxBodyBytes?: number; bodyTimeoutMs?: number } = {}): WimseFetch {
  return createWimseFetch({
    credentials: { wit, privateKey: callerKey.privateKey },
    requireSignedResponse: { verifier: trust.responseVerifier(), expectedId: SERVER_ID, ...requirement },
  });
}

async function outcome(path: string): Promise<Streamed> {
  const result = streamed.get(path);
  assert.ok(result, `the server streamed nothing on ${path}`);
  return result;
}

before(async () => {
  wit = await trust.wit(CALLER_ID, callerKey);
  serverWit = await trust.wit(SERVER_ID, serverKey);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  verifier = createVerifier({ trustDomains: trust.trustDomains, audiences: [origin] });
});
after(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

describe('requireSignedResponse: refused on the headers, before the body is read', () => {
  it('an unsigned endless body: signature_missing, the connection closed after a short preview', async () => {
    const error = await rejectsWithCode<ResponseVerificationError>(
      client()(`${origin}/endless-unsigned`),
      'signature_missing',
    );
    assert.ok(error instanceof ResponseVerificationError);
    const preview = new Uint8Array(await error.response.arrayBuffer());
    assert.ok(preview.byteLength <= 16 * 1024, `a preview of ${preview.byteLength} bytes`);
    const { bytesWritten, closedEarly } = await outcome('/endless-unsigned');
    assert.equal(closedEarly, true, 'the client closed the connection');
    assert.ok(bytesWritten < WRITTEN_BOUND_BYTES, `the server wrote ${bytesWritten} bytes`);
  });

  it('a body signed over another request (wimse-req-nonce): signature_invalid without reading it', async () => {
    const error = await rejectsWithCode(client()(`${origin}/endless-wrong-nonce`), 'signature_invalid');
    assert.match(error.message, /wimse-req-nonce/);
    const { bytesWritten, closedEarly } = await outcome('/endless-wrong-nonce');
    assert.equal(closedEarly, true);
    assert.ok(bytesWritten < WRITTEN_BOUND_BYTES, `the server wrote ${bytesWritten} bytes`);
  });

  it('a Content-Length above maxBodyBytes: body_too_large, the body not read', async () => {
    const error = await rejectsWithCode<ResponseVerificationError>(
      client({ maxBodyBytes: 64 * 1024 })(`${origin}/declared-oversized`),
      'body_too_large',
    );
    assert.match(error.message, /Content-Length 134217728, more than requireSignedResponse\.maxBodyBytes \(65536\)/);
    assert.equal(error.response.body, null, 'nothing of the body is handed on');
    const { bytesWritten, closedEarly } = await outcome('/declared-oversized');
    assert.equal(closedEarly, true);
    assert.ok(bytesWritten < WRITTEN_BOUND_BYTES, `the server wrote ${bytesWritten} bytes`);
  });
});

describe('requireSignedResponse: the body is read under a size cap and a time limit', () => {
  it('a body that never ends: body_too_large once maxBodyBytes came, the stream cancelled', async () => {
    const error = await rejectsWithCode<ResponseVerificationError>(
      client({ maxBodyBytes: 64 * 1024 })(`${origin}/endless-signed`),
      'body_too_large',
    );
    assert.match(error.message, /larger than requireSignedResponse\.maxBodyBytes \(65536\)/);
    const { bytesWritten, closedEarly } = await outcome('/endless-signed');
    assert.equal(closedEarly, true);
    assert.ok(bytesWritten < WRITTEN_BOUND_BYTES, `the server wrote ${bytesWritten} bytes`);
  });

  // The timeout only turns a hang (the code before bodyTimeoutMs) into a failure; the test takes ~bodyTimeoutMs.
  it('a body that stalls: body_timeout after bodyTimeoutMs, the connection closed', { timeout: 60_000 }, async () => {
    const error = await rejectsWithCode<ResponseVerificationError>(
      client({ bodyTimeoutMs: 200 })(`${origin}/stalled-signed`),
      'body_timeout',
    );
    assert.match(error.message, /did not arrive within requireSignedResponse\.bodyTimeoutMs \(200 ms\)/);
    assert.equal(await error.response.text(), 'sho', 'what arrived is there to look at');
    assert.equal((await outcome('/stalled-signed')).closedEarly, true);
  });

  it('a signed response without a body resolves: its verification on the headers stands for the whole', async () => {
    const response = await client()(`${origin}/signed-empty`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
  });

  it('the limits are options validated at construction', () => {
    const credentials = { wit: 'a.b.c', privateKey: callerKey.privateKey };
    for (const [option, value] of [
      ['maxBodyBytes', 0],
      ['maxBodyBytes', 2 ** 30 + 1],
      ['bodyTimeoutMs', 1.5],
      ['bodyTimeoutMs', '1000'],
    ] as const) {
      assert.throws(
        () =>
          createWimseFetch({
            credentials,
            requireSignedResponse: { verifier: trust.responseVerifier(), [option]: value },
          } as Parameters<typeof createWimseFetch>[0]),
        new RegExp(
          `^TypeError: createWimseFetch: requireSignedResponse\\.${option} must be an integer from 1 to \\d+, got `,
        ),
      );
    }
  });
});

describe('server-controlled text stays out of the caller’s error messages', () => {
  it('a problem code with CR/LF is left out; the message stays one line', async () => {
    const error = await rejectsWithCode(client()(`${origin}/hostile-code`), 'signature_missing');
    assert.doesNotMatch(error.message, /[\r\n]/);
    assert.doesNotMatch(error.message, /X-Injected|Unauthorized/);
    assert.doesNotMatch(error.message, /the server answered/);
  });
});
