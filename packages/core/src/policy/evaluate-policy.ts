import { WimseError } from '../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { WorkloadIdentity } from '../identity/workload-identity.js';
import type { WorkloadPolicy } from './types.js';

/**
 * Runs a policy and fails closed: anything but exactly `true` (false, undefined, a truthy
 * non-boolean, an error, no answer within the timeout) is a `policy_denied`. The timer is always
 * cleared, so a quick decision leaves nothing that keeps the process alive.
 */
export async function evaluatePolicy(
  policy: WorkloadPolicy,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('evaluatePolicy: timeoutMs must be positive');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WimseError('policy_denied', `the policy decision point timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  let decision: unknown;
  try {
    // `then` also catches a policy that throws synchronously.
    decision = await Promise.race([Promise.resolve().then(() => policy(identity, request)), timeout]);
  } catch (cause) {
    if (cause instanceof WimseError && cause.code === 'policy_denied') throw cause;
    throw new WimseError('policy_denied', 'the policy failed', { cause });
  } finally {
    clearTimeout(timer);
  }
  if (decision !== true) throw new WimseError('policy_denied', 'the policy denied the request');
}
