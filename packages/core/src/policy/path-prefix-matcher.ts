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
    throw new TypeError(
      `${where}: ${JSON.stringify(prefix)} must be a canonical identifier with at least one path segment (${(error as Error).message}); use allowTrustDomain for a whole origin`,
    );
  }
  const descendants = `${prefix}/`;
  return (id) => id === prefix || id.startsWith(descendants);
}
