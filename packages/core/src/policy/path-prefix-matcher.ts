import { optionError } from '../base/options/option-checks.js';
import { parseWorkloadId } from '../identifier/parse-workload-id.js';

/**
 * A segment-aware prefix match bound to one exact origin, on canonical identifiers (see
 * `allowPathPrefix`). Throws a TypeError naming `where` when the prefix is not a canonical
 * identifier with at least one path segment.
 */
export function pathPrefixMatcher(prefix: string, where: string): (id: string) => boolean {
  try {
    parseWorkloadId(prefix);
  } catch (error) {
    throw optionError(
      where,
      `a canonical identifier with at least one path segment (${(error as Error).message}; allowTrustDomain is for a whole origin)`,
      prefix,
    );
  }
  const descendants = `${prefix}/`;
  return (id) => id === prefix || id.startsWith(descendants);
}
