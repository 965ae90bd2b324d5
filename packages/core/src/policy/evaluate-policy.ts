import { WimseError } from '../errors/wimse-error.js';
import type { WorkloadIdentity } from '../types/identity.js';
import type { WorkloadRequest } from '../types/request.js';
import type { WorkloadPolicy } from './types.js';

/**
 * Runs a policy and fails closed: anything but exactly `true` (false, a truthy non-boolean, an
 * error, no answer within the timeout) is a `policy_denied`.
 */
export async function evaluatePolicy(
  policy: WorkloadPolicy,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WimseError('policy_denied', `the policy did not decide within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  let decision: unknown;
  try {
    decision = await Promise.race([Promise.resolve().then(() => policy(identity, request)), timeout]);
  } catch (cause) {
    if (cause instanceof WimseError) throw cause;
    throw new WimseError('policy_denied', 'the policy failed', { cause });
  } finally {
    clearTimeout(timer);
  }
  if (decision !== true) throw new WimseError('policy_denied', 'the policy denied the request');
}
