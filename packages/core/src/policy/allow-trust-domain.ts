import { parseWorkloadOrigin } from '../identifier/parse-workload-origin.js';
import type { WorkloadPolicy } from './types.js';

/**
 * The explicit whole-origin grant: every workload of one scheme and trust domain, e.g.
 * `allowTrustDomain('wimse://td.example')`. A `spiffe://` identity never matches a `wimse://` grant.
 */
export function allowTrustDomain(origin: string): WorkloadPolicy {
  const parsed = parseWorkloadOrigin(origin);
  return (identity) => identity.origin === parsed.origin;
}
