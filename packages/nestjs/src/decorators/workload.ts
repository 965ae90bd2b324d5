import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { WorkloadIdentity } from '@wimse-pep/core';
import { nodeDecision } from '@wimse-pep/core/node';

/** The Node request under a platform's request object (Fastify's `request.raw`, Express's `req`). */
export function rawRequestOf(context: ExecutionContext): IncomingMessage {
  const request = context.switchToHttp().getRequest<IncomingMessage | { raw: IncomingMessage }>();
  return 'raw' in request ? request.raw : request;
}

/**
 * The verified calling workload as a handler parameter: `@Workload() workload?: WorkloadIdentity`;
 * undefined when the route's mode let the request through without one.
 */
export const Workload = createParamDecorator(
  (_data: unknown, context: ExecutionContext): WorkloadIdentity | undefined =>
    nodeDecision(rawRequestOf(context))?.identity,
);
