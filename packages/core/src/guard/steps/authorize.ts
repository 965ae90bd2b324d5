import { WimseError } from '../../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../../base/fields/workload-request.js';
import type { WorkloadIdentity } from '../../identity/workload-identity.js';
import type { MigrationMode } from '../../migration/migration-options.js';
import { evaluatePolicy } from '../../policy/evaluate-policy.js';
import type { WorkloadPolicy } from '../../policy/types.js';
import { type AuditEvent, identityFields } from '../audit-event.js';

export interface Authorization {
  readonly identity: WorkloadIdentity | undefined;
  readonly request: WorkloadRequest;
  readonly policy: WorkloadPolicy;
  readonly route: string;
  readonly timeoutMs: number;
  /** The migration mode the request was authenticated under, when a migration is configured. */
  readonly migrationMode: MigrationMode | undefined;
}

/**
 * Step 4: the route's policy on the authenticated identity; an absent identity is a denial, and so
 * is a policy that throws or does not answer in time. Returns the audit event of the decision and
 * the refusal, if any.
 */
export async function authorize(input: Authorization): Promise<{ event: AuditEvent; refusal?: WimseError }> {
  const { identity, request, migrationMode } = input;
  let refusal: WimseError | undefined;
  try {
    if (!identity) throw new WimseError('policy_denied', 'the route requires an authenticated workload');
    await evaluatePolicy(input.policy, identity, request, { timeoutMs: input.timeoutMs });
  } catch (error) {
    refusal = asWimseError(error);
  }
  const event: AuditEvent = Object.assign(
    {
      time: new Date().toISOString(),
      stage: 'authorization' as const,
      decision: refusal === undefined ? ('allow' as const) : ('deny' as const),
      method: request.method,
      route: input.route,
      target: request.target,
      proof: identity?.proof ?? 'none',
      migrationMode,
      code: refusal?.code,
      reason: refusal?.message,
    },
    identityFields(identity),
  );
  return refusal === undefined ? { event } : { event, refusal };
}

/** Anything that is not already a WimseError is an internal fault: refuse, never allow. */
export function asWimseError(error: unknown): WimseError {
  if (error instanceof WimseError) return error;
  return new WimseError('unavailable', 'verification failed unexpectedly', { cause: error });
}
