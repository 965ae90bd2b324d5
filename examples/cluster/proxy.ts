/**
 * A small round-robin reverse proxy in front of the replicas, standing in for a load balancer.
 *
 *   UPSTREAMS=http://127.0.0.1:3001,http://127.0.0.1:3002 PORT=3000 pnpm --filter example-cluster proxy
 *
 * Prints one JSON line `{"listening":<port>}` once it serves (PORT=0 picks a free port).
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstreams = (process.env.UPSTREAMS ?? '')
  .split(',')
  .filter(Boolean)
  .map((url) => new URL(url));
if (upstreams.length === 0) throw new Error('set UPSTREAMS to a comma-separated list of replica URLs');
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let next = 0;

const server = createServer((incoming, outgoing) => {
  const upstream = upstreams[next++ % upstreams.length] as URL;
  const forwarded = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      // The request target exactly as received: the signature covers @path and @query.
      path: incoming.url,
      headers: incoming.headers,
      agent,
    },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  forwarded.on('error', () => {
    if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
    outgoing.end('bad gateway');
  });
  incoming.pipe(forwarded);
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(JSON.stringify({ listening: (server.address() as AddressInfo).port }));
});
const shutdown = () => {
  server.close();
  agent.destroy();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
