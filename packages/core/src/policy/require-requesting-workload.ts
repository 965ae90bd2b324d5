import { optionError } from '../base/options/option-checks.js';
import type { WorkloadPolicy } from './types.js';

/**
 * Allows requests whose Transaction Token's `req_wl` (the workload that asked for the token) is the
 * caller itself (no arguments: the first hop of a transaction), or one of `workloads` (say, the
 * gateway that starts every transaction). A request without a Txn-Token is denied.
 */
export function requireRequestingWorkload(...workloads: string[]): WorkloadPolicy {
  workloads.forEach((workload, i) => {
    if (typeof workload !== 'string' || workload === '') {
      throw optionError(`requireRequestingWorkload: workloads[${i}]`, 'a non-empty string', workload);
    }
  });
  const allowed = new Set(workloads);
  return (identity) => {
    const requester = identity.transaction?.requestingWorkload;
    if (requester === undefined) return false;
    return allowed.size === 0 ? requester === identity.id : allowed.has(requester);
  };
}
