import type { FastifyReply, FastifyRequest } from 'fastify';
import { refuse } from './state.js';

/**
 * A route handler answering the migration report as JSON. Mount it behind a policy:
 * `app.get('/ops/migration', { config: { wimse: { policy } } }, migrationReportHandler)`.
 */
export async function migrationReportHandler(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const guard = request.server.hasDecorator('wimse') ? request.server.wimse.guard : undefined;
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
