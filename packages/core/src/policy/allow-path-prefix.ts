import { pathPrefixMatcher } from './path-prefix-matcher.js';
import type { WorkloadPolicy } from './types.js';

/**
 * A segment-aware prefix grant bound to one exact origin: `wimse://td.example/service/pay` allows
 * itself and `…/service/pay/worker`, never `…/service/payroll-attacker` (H1) nor the same path
 * under another scheme or trust domain (H4). The prefix must be a canonical identifier with at
 * least one path segment, so an empty or root grant fails closed at construction (H5, H6); the
 * explicit whole-origin grant is `allowTrustDomain`.
 *
 * Matching is a string comparison, which is exactly a segment comparison here: both the prefix and
 * every verified `identity.id` are canonical (no percent-encoding, no dot or empty segments, no
 * trailing `/`, one spelling per identifier), so `/` only ever separates segments, and
 * `id.startsWith(prefix + '/')` holds exactly when the prefix's origin and segments are the first
 * ones of `id`. The origin is the start of the prefix and a trust domain cannot contain `/`, so a
 * match also binds the exact origin.
 */
export function allowPathPrefix(prefix: string): WorkloadPolicy {
  const matches = pathPrefixMatcher(prefix, 'allowPathPrefix');
  return (identity) => matches(identity.id);
}
