/**
 * The service in the middle of its migration from bearer tokens to WITs: an Express 5 app whose
 * PEP (@wimse-pep/express) verifies WITs with HTTP signatures and, during the migration, the
 * bearer JWTs its callers used to send. The route `POST /orders` takes either (`either`, the
 * guard's default here); the operator's `GET /migration-report` takes WITs only and one caller.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevBearerIssuer } from '@wimse-pep/cli';
import { type AuditEvent, allowWorkloads, type TrustDomainOptions } from '@wimse-pep/core';
import { requireWorkload, wimse } from '@wimse-pep/express';
import express from 'express';

export interface OrdersServiceOptions {
  /** Who may call with a WIT: the trust domains and their identity servers. */
  readonly trustDomains: TrustDomainOptions[];
  /** How bearer tokens were verified before the migration (the dev issuer's entry). */
  readonly bearerIssuer: DevBearerIssuer;
  /** The operator's workload: the only caller of the migration report. */
  readonly operatorId: string;
  /** From this instant every bearer token is refused (`bearer_sunset`). */
  readonly sunset: Date;
  readonly log: (line: string) => void;
}

export interface OrdersService {
  readonly url: string;
  close(): Promise<void>;
}

export async function startOrdersService(options: OrdersServiceOptions): Promise<OrdersService> {
  // The audience is the service's own origin, known once it listens: listen first, then build the app.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const pep = wimse({
    verifier: { trustDomains: options.trustDomains, audiences: [url] },
    migration: {
      // What the service checked before: the same issuer, now also accepted beside WITs.
      bearer: { ...options.bearerIssuer, jwt: { ...options.bearerIssuer.jwt, audience: url } },
      mode: 'either', // step 2 of the README's migration: WITs authenticate, bearer still works
      sunset: options.sunset,
      guideUrl: 'https://docs.demo.example/wit-migration',
    },
    audit: (event: AuditEvent) => options.log(describe(event)),
  });

  const app = express();
  // The operator's view: WIT-authenticated, one caller, whatever the migration mode.
  app.get(
    '/migration-report',
    pep.withMode('wit-required'),
    requireWorkload(allowWorkloads(options.operatorId)),
    pep.migrationReport(),
  );
  app.use(pep);
  app.use(express.json());
  app.post('/orders', (req, res) => {
    const caller = req.workload;
    res.status(201).json({
      order: 'accepted',
      caller: caller?.id,
      proof: caller?.proof,
      ...(caller?.proof === 'http-signature' && caller.bearer ? { bearerBeside: caller.bearer.id } : {}),
    });
  });
  server.on('request', app);

  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One audit line: who, how, and what was decided (the event holds no token). */
function describe(event: AuditEvent): string {
  const who = event.workloadId ?? 'unknown caller';
  const how = `${event.proof ?? 'none'}${event.dualSend ? ` + bearer (${event.dualSend.bearerWorkloadId})` : ''}`;
  const outcome = event.decision === 'allow' ? 'allow' : `deny ${event.code}`;
  return `audit: ${event.stage} ${outcome}, ${who} by ${how}, mode ${event.migrationMode ?? '-'}, ${event.method} ${event.route}`;
}
