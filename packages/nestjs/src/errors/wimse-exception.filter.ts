import type { ServerResponse } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { WimseException } from './wimse-exception.js';

interface FastifyReplyLike {
  readonly raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(body: string): unknown;
}

/**
 * Renders a `WimseException` as the other adapters do: the core's status, its header fields and
 * an application/problem+json body (Nest's default filter would answer application/json without
 * them). `WimseModule` installs it globally; a filter of the application that catches
 * `WimseException` first can log it and call `super.catch` or answer on its own.
 */
@Catch(WimseException)
export class WimseExceptionFilter implements ExceptionFilter<WimseException> {
  catch(exception: WimseException, host: ArgumentsHost): void {
    // The client hung up: there is no one to answer (the guard audited it as aborted).
    if (exception.code === 'client_aborted') return;
    const response = host.switchToHttp().getResponse<ServerResponse | FastifyReplyLike>();
    const { status, headers, body } = exception.problem;
    if ('raw' in response) {
      response.code(status).headers(headers).send(body);
      return;
    }
    if (response.headersSent) return;
    response.statusCode = status;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.setHeader('content-length', Buffer.byteLength(body));
    response.end(body);
  }
}
