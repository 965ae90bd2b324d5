import type { WorkloadGuard } from '@wimse-pep/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { guardKey, refuse } from './state.js';

/**
 * A route handler answering the migration report as JSON. Mount it behind a policy:
 * `app.get('/ops/migration', { config: { wimse: { policy } } }, migrationReportHandler)`.
 */
export async function migrationReportHandler(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const guard = (request.server as unknown as Record<symbol, WorkloadGuard | undefined>)[guardKey];
  if (!guard) throw new Error('migrationReportHandler is used where @wimse-pep/fastify is not registered');
  try {
    return await guard.migrationReport();
  } catch (error) {
    refuse(reply, error, guard.exposeErrorDetail, (fault) => {
      throw fault;
    });
    return reply;
  }
}
