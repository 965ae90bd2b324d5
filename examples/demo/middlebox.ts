/**
 * A middlebox: it terminates the caller's HTTP connection and originates a new one to the
 * service, as a load balancer, an API gateway or a TLS-terminating proxy does. On the way it
 * rewrites fields the signature does not cover (`Host`, `User-Agent`, adds `Via` and
 * `X-Forwarded-For`), which must not break anything. On demand it misbehaves: it alters the
 * body or the query of a request, or strips the signature from a response.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type MiddleboxMode = 'forward' | 'tamper-body' | 'tamper-query' | 'strip-response-signature';

export interface CapturedRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface Middlebox {
  readonly url: string;
  mode: MiddleboxMode;
  /** The last request as it came from the caller, before any change (for the replay step). */
  readonly captured: () => CapturedRequest | undefined;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export async function startMiddlebox(upstream: string, log: (line: string) => void): Promise<Middlebox> {
  const target = new URL(upstream);
  let captured: CapturedRequest | undefined;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    let path = req.url ?? '/';
    captured = { method: req.method ?? 'GET', target: path, headers: req.headers, body };

    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    // Re-originated: a new Host, its own User-Agent, Via and X-Forwarded-For (none are signed).
    headers.host = target.host;
    headers['user-agent'] = 'demo-middlebox/1.0';
    headers.via = '1.1 demo-middlebox';
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';

    if (box.mode === 'tamper-body' && body.byteLength > 0) {
      body = Buffer.from(body.toString('utf8').replace(/"quantity":\d+/, '"quantity":200'));
      log('middlebox: changed the body in transit ("quantity":2 -> "quantity":200)');
    }
    if (box.mode === 'tamper-query') {
      path = path.replace('priority=high', 'priority=low');
      log('middlebox: changed the query in transit (priority=high -> priority=low)');
    }
    if (body.byteLength > 0) headers['content-length'] = String(body.byteLength);

    const upstreamRequest = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path, headers },
      (upstreamResponse) => {
        const responseHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstreamResponse.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) responseHeaders[name] = value;
        }
        responseHeaders.via = '1.1 demo-middlebox';
        if (box.mode === 'strip-response-signature' && responseHeaders.signature !== undefined) {
          delete responseHeaders.signature;
          delete responseHeaders['signature-input'];
          log('middlebox: stripped Signature and Signature-Input from the response');
        }
        res.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`bad gateway: ${error.message}`);
    });
    upstreamRequest.end(body);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const box: Middlebox = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode: 'forward',
    captured: () => captured,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return box;
}

/** Sends a captured request again, byte for byte (what an attacker who saw it would do). */
export function replay(url: string, request: CapturedRequest): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.target,
        headers: request.headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
