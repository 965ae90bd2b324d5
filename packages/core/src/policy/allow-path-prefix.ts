import { parseWorkloadId } from '../identifier/parse-workload-id.js';
import type { WorkloadPolicy } from './types.js';

/**
 * A segment-aware prefix grant bound to one exact origin: `wimse://td.example/service/pay` allows
 * itself and `…/service/pay/worker`, never `…/service/payroll-attacker` (H1) nor another origin
 * (H4). A prefix must have at least one path segment (H5, H6: an empty or root grant fails
 * closed; the whole-origin grant is `allowTrustDomain`). Verified identifiers are canonical, so a
 * string comparison on `prefix` and `prefix + "/"` is exactly a comparison of segments.
 */
export function allowPathPrefix(prefix: string): WorkloadPolicy {
  try {
    parseWorkloadId(prefix);
  } catch (error) {
    throw new TypeError(
      `allowPathPrefix: ${prefix} must be a canonical identifier with at least one path segment (${(error as Error).message}); use allowTrustDomain for a whole origin`,
    );
  }
  const descendants = `${prefix}/`;
  return (identity) => identity.id === prefix || identity.id.startsWith(descendants);
}
