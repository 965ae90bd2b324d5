import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import type { AuditEvent } from '@wimse-pep/core';
import { type AdapterCase, send, signed } from './cases.js';

/**
 * "Strangers cost nothing" and the body's own failures, against every framework: everything that
 * does not need the body is decided before a byte of it is read; a body that stalls is answered
 * 408 and its connection closed; a client that hangs up mid-body is its own audited outcome.
 * These cases write HTTP/1.1 by hand on a socket, to control when (and whether) the body comes.
 */

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface RawExchange {
  readonly socket: Socket;
  /** The first complete response (head and Content-Length bytes of body). */
  readonly response: Promise<RawResponse>;
  /** Resolves when the server has closed the connection. */
  readonly closed: Promise<void>;
}

function open(server: Server): RawExchange {
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  let received = Buffer.alloc(0);
  const response = new Promise<RawResponse>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      const length = Number(headers['content-length'] ?? 0);
      if (received.length < end + 4 + length) return;
      socket.off('data', onData);
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: received.subarray(end + 4, end + 4 + length).toString('utf8'),
      });
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('the connection closed without a response')));
  });
  response.catch(() => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, response, closed };
}

function head(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.join('')}\r\n`;
}

function expectRawProblem(response: RawResponse, status: number, code: string): void {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status} ${response.body}`);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json\b/);
  assert.equal((JSON.parse(response.body) as { code?: unknown }).code, code);
}

/** Waits (bounded) until the server has audited the authentication of the request. */
async function authenticationEvent(events: readonly AuditEvent[]): Promise<AuditEvent> {
  for (let waited = 0; waited < 20_000; waited += 10) {
    const event = events.find((candidate) => candidate.stage === 'authentication');
    if (event) return event;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('no authentication event was audited');
}

const BODY = JSON.stringify({ note: 'x'.repeat(400) });

/** No credentials: 400 `wit_missing` where only HTTP signatures are accepted, 401 where WPTs are too. */
const MISSING = [
  [{ wpt: false }, 400, 'wit_missing'],
  [{}, 401, 'credentials_missing'],
] as const;

export const bodyCases: readonly AdapterCase[] = [
  {
    name: 'a trickled body without a WIT is answered (wit_missing, or credentials_missing where WPTs are accepted) before the trickle ends',
    async run(context) {
      for (const [wpt, status, code] of MISSING) {
        context.events.length = 0;
        // If the body were awaited first, the answer would be this timeout's 408, not the refusal.
        const server = await context.server({ bodyTimeoutMs: 3000, ...wpt });
        const exchange = open(server);
        exchange.socket.write(
          head('POST', '/orders', { 'content-type': 'application/json', 'content-length': BODY.length }),
        );
        exchange.socket.write(BODY.slice(0, 10));
        const response = await exchange.response; // 390 bytes of the body have not been sent
        exchange.socket.destroy();
        expectRawProblem(response, status, code);
        assert.deepEqual(
          context.events.map((event) => [event.decision, event.code]),
          [['deny', code]],
        );
      }
    },
  },
  {
    name: 'an oversized body without credentials is wit_missing (credentials_missing where WPTs are accepted), not 413',
    async run(context) {
      for (const [wpt, status, code] of MISSING) {
        context.events.length = 0;
        const server = await context.server({ bodyLimit: 64, ...wpt });
        const response = await send(server, {
          method: 'POST',
          path: '/orders',
          headers: { 'content-type': 'application/json' },
          body: new TextEncoder().encode(BODY),
        });
        assert.equal(response.status, status, response.text);
        assert.equal((response.body as { code?: unknown }).code, code);
        assert.deepEqual(
          context.events.map((event) => [event.decision, event.code]),
          [['deny', code]],
        );
      }
    },
  },
  {
    name: 'an oversized body with valid credentials is still 413 body_too_large',
    async run(context) {
      const server = await context.server({ bodyLimit: 64 });
      const message = await signed(context.scenario, {
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json' },
        body: BODY,
      });
      const response = await send(server, message);
      assert.equal(response.status, 413, response.text);
      assert.equal((response.body as { code?: unknown }).code, 'body_too_large');
    },
  },
  {
    name: 'a stalled body is answered 408 body_timeout and its connection closed',
    async run(context) {
      const server = await context.server({ bodyTimeoutMs: 200 });
      const message = await signed(context.scenario, {
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json' },
        body: BODY,
      });
      const exchange = open(server);
      exchange.socket.write(head('POST', message.path, { ...message.headers, 'content-length': BODY.length }));
      exchange.socket.write(BODY.slice(0, 100)); // and never the rest
      const response = await exchange.response;
      expectRawProblem(response, 408, 'body_timeout');
      assert.equal(response.headers.connection, 'close');
      await exchange.closed; // the server released the socket
      assert.deepEqual(
        context.events.map((event) => [event.decision, event.code]),
        [['deny', 'body_timeout']],
      );
    },
  },
  {
    name: 'a client that hangs up mid-body is audited as aborted, never unavailable',
    async run(context) {
      const server = await context.server({ bodyTimeoutMs: 10_000 });
      const message = await signed(context.scenario, {
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json' },
        body: BODY,
      });
      const exchange = open(server);
      // Hang up once the server has the request's head (and part of its body).
      server.once('request', () => setImmediate(() => exchange.socket.destroy()));
      exchange.socket.write(head('POST', message.path, { ...message.headers, 'content-length': BODY.length }));
      exchange.socket.write(BODY.slice(0, 100));
      await exchange.closed;
      const event = await authenticationEvent(context.events);
      assert.deepEqual([event.decision, event.code], ['aborted', 'client_aborted']);
      assert.equal(
        context.events.some((candidate) => candidate.code === 'unavailable'),
        false,
      );
    },
  },
];
