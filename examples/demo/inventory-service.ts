/**
 * The inventory service: authenticates its callers by mutual TLS alone. The caller's Workload
 * Identity Certificate is checked by the core against the CA of the identifier's trust domain
 * (not by Node's TLS layer, so a refusal is answered as problem+json instead of a dropped
 * handshake). node:https + the core's guard, like the orders service's node:http + verifier.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type AuditSink, createWorkloadGuard, isWimseError, type TrustDomainOptions } from '@wimse-pep/core';
import { requestTransport } from '@wimse-pep/core/node';

export interface InventoryServiceOptions {
  readonly trustDomains: readonly TrustDomainOptions[];
  /** The service's own TLS certificate and key (PEM). */
  readonly tls: { readonly certificatePem: string; readonly privateKeyPem: string };
  readonly log: (line: string) => void;
  /** Where its decisions go: the demo's tamper-evident audit trail (@wimse-pep/audit). */
  readonly audit?: AuditSink;
}

export interface InventoryService {
  readonly url: string;
  close(): Promise<void>;
}

export async function startInventoryService(options: InventoryServiceOptions): Promise<InventoryService> {
  const guard = createWorkloadGuard({
    verifier: { trustDomains: options.trustDomains, audiences: ['https://inventory.demo.example'] },
    ...(options.audit ? { audit: options.audit } : {}),
  });
  const server = createServer(
    { key: options.tls.privateKeyPem, cert: options.tls.certificatePem, requestCert: true, rejectUnauthorized: false },
    async (req, res) => {
      const request = {
        method: req.method ?? 'GET',
        target: req.url ?? '/',
        headers: req.headersDistinct,
        transport: requestTransport(req.socket),
      };
      try {
        const identity = await guard.authenticate(request, { route: '/stock' });
        options.log(`verified caller ${identity?.id} by its client certificate (proof ${identity?.proof})`);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ caller: identity?.id, vanilla: 12 }));
      } catch (error) {
        if (!isWimseError(error)) throw error;
        options.log(`refused ${request.method} ${request.target}: ${error.status} ${error.code} (${error.message})`);
        res.writeHead(error.status, { 'content-type': 'application/problem+json', ...error.headers });
        res.end(JSON.stringify(error.toProblem()));
      }
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
