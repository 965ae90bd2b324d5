import { optionError } from '../base/options/option-checks.js';
import { parseWorkloadId } from '../identifier/parse-workload-id.js';
import type { WorkloadPolicy } from './types.js';

/**
 * Allows exactly these workload identifiers, compared byte for byte. Each configured identifier
 * must be canonical, so a typo such as `%70ayment` fails at start-up instead of never matching.
 */
export function allowWorkloads(...ids: string[]): WorkloadPolicy {
  if (ids.length === 0) throw optionError('allowWorkloads: identifiers', 'at least one workload identifier', ids);
  ids.forEach((id, i) => {
    try {
      parseWorkloadId(id);
    } catch (error) {
      throw optionError(
        `allowWorkloads: identifiers[${i}]`,
        `a canonical workload identifier (${(error as Error).message})`,
        id,
      );
    }
  });
  const allowed = new Set(ids);
  return (identity) => allowed.has(identity.id);
}
