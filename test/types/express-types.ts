/**
 * Compiles only if @wimse-pep/express's declaration merging works: `req.workload` exists on
 * Express's Request, is optional, is the core's WorkloadIdentity, and cannot be assigned.
 * Typechecked by `pnpm typecheck`; never run.
 */
import type { WorkloadIdentity } from '@wimse-pep/core';
import { captureRawBody, requireWorkload, type WimseMiddleware, wimse, wimseErrorHandler } from '@wimse-pep/express';
import express, { type Request, type RequestHandler, type Response } from 'express';

declare const pep: WimseMiddleware;

const app = express();
app.use(express.json({ verify: captureRawBody }));
app.get('/public', pep.withMode('off'), (_req, res) => res.end());
app.use(pep);
app.get(
  '/orders',
  requireWorkload((identity) => identity.trustDomain === 'td.example'),
  (req, res) => {
    const id: string | undefined = req.workload?.id;
    const identity: WorkloadIdentity | undefined = req.workload;
    res.json({ id, expires: identity?.expiresAt });
  },
);
app.use(wimseErrorHandler());

export function handler(req: Request, res: Response): void {
  if (req.workload) {
    const id: string = req.workload.id;
    const trustDomain: string = req.workload.trustDomain;
    res.json({ id, trustDomain });
  }
  // @ts-expect-error the verified identity is read-only
  req.workload = undefined;
  // @ts-expect-error a number is not an identifier
  const wrong: number = req.workload?.id;
  void wrong;
}

export const middleware: RequestHandler = wimse({ verifier: { trustDomains: [] }, bodyLimit: 1024 });
// @ts-expect-error an unknown mode does not typecheck
pep.withMode('sometimes');
