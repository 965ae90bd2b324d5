import type { WorkloadPolicy } from './types.js';

/** Allows when any policy allows; evaluated in order, stopping at the first `true`. */
export function anyOf(...policies: WorkloadPolicy[]): WorkloadPolicy {
  if (policies.length === 0) throw new TypeError('anyOf needs at least one policy');
  return async (identity, request) => {
    for (const policy of policies) if ((await policy(identity, request)) === true) return true;
    return false;
  };
}

/** Allows when every policy allows; an empty list would allow everything, so it is refused. */
export function allOf(...policies: WorkloadPolicy[]): WorkloadPolicy {
  if (policies.length === 0) throw new TypeError('allOf needs at least one policy');
  return async (identity, request) => {
    for (const policy of policies) if ((await policy(identity, request)) !== true) return false;
    return true;
  };
}

/** Inverts a policy. A policy that throws still denies: `not` never turns an error into an allow. */
export function not(policy: WorkloadPolicy): WorkloadPolicy {
  return async (identity, request) => (await policy(identity, request)) !== true;
}
