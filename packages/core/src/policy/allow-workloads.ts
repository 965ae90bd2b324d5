import { parseWorkloadId } from '../identifier/parse-workload-id.js';
import type { WorkloadPolicy } from './types.js';

/**
 * Allows exactly these workload identifiers, compared byte for byte. Each configured identifier
 * must be canonical, so a typo such as `%70ayment` fails at start-up instead of never matching.
 */
export function allowWorkloads(...ids: string[]): WorkloadPolicy {
  if (ids.length === 0) throw new TypeError('allowWorkloads needs at least one identifier');
  for (const id of ids) {
    try {
      parseWorkloadId(id);
    } catch (error) {
      throw new TypeError(
        `allowWorkloads: ${JSON.stringify(id)} is not a canonical workload identifier (${(error as Error).message})`,
      );
    }
  }
  const allowed = new Set(ids);
  return (identity) => allowed.has(identity.id);
}
