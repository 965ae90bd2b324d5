import { expectFunction, optionError } from '../base/options/option-checks.js';
import type { WorkloadPolicy } from './types.js';

/**
 * Policy combinators. Each awaits its policies one at a time, in order, and stops as soon as the
 * answer is known. Only exactly `true` counts as an allow; an error propagates, which
 * `evaluatePolicy` turns into a denial.
 */

/** Allows when any policy allows. An empty list is a configuration mistake, so it is refused. */
export function anyOf(...policies: WorkloadPolicy[]): WorkloadPolicy {
  checkPolicies('anyOf', policies);
  return async (identity, request) => {
    for (const policy of policies) if ((await policy(identity, request)) === true) return true;
    return false;
  };
}

/** Allows when every policy allows. An empty list would allow everything, so it is refused. */
export function allOf(...policies: WorkloadPolicy[]): WorkloadPolicy {
  checkPolicies('allOf', policies);
  return async (identity, request) => {
    for (const policy of policies) if ((await policy(identity, request)) !== true) return false;
    return true;
  };
}

/**
 * Inverts a policy. Only an exact `false` becomes an allow: a non-boolean answer denies and an
 * error propagates, so `not` never turns a broken policy into an allow.
 */
export function not(policy: WorkloadPolicy): WorkloadPolicy {
  checkPolicies('not', [policy]);
  return async (identity, request) => (await policy(identity, request)) === false;
}

function checkPolicies(name: string, policies: readonly unknown[]): void {
  if (policies.length === 0) throw optionError(`${name}: policies`, 'at least one policy', policies);
  for (const [i, policy] of policies.entries()) expectFunction(policy, `${name}: policies[${i}]`, 'a policy function');
}
