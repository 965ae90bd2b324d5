/**
 * The processes of the sidecar benchmark, one per role (argv[2]): `upstream`, a trivial node:http
 * service that answers who called it (the sidecar's identity header); `express`, the same answer
 * from Express with the wimse() middleware in-process. Each prints its port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wimse } from '@wimse-pep/express';
import express from 'express';

const role = process.argv[2];
const config = JSON.parse(process.argv[3] ?? '{}') as {
  trustDomain: string;
  audience: string;
  issuerJwk: Record<string, unknown>;
};

if (role === 'upstream') {
  const server = createServer((req, res) => {
    const body = JSON.stringify({ caller: req.headers['wimse-workload-id'] ?? null });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
} else if (role === 'express') {
  const app = express();
  app.use(
    wimse({
      verifier: {
        trustDomains: [{ trustDomain: config.trustDomain, issuers: [{ jwks: { keys: [config.issuerJwk as never] } }] }],
        audiences: [config.audience],
      },
    }),
  );
  app.get('/orders', (req, res) => {
    res.json({ caller: req.workload?.id ?? null });
  });
  const server = app.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
  server.keepAliveTimeout = 60_000;
} else {
  throw new Error(`unknown role ${role}`);
}
