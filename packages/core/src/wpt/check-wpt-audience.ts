import { WimseError } from '../base/errors/wimse-error.js';

/**
 * `aud` must be one of this service's configured origins followed by the request path (the target
 * URI without query or fragment), never a value derived from `Host` or `X-Forwarded-Host` (P2).
 * An array `aud` (RFC 7519 §4.1.3) must contain such a value. Returns the matching audience.
 */
export function checkWptAudience(aud: unknown, origins: readonly string[], path: string): string {
  if (aud === undefined) throw new WimseError('wpt_audience_mismatch', 'WPT aud is missing');
  const values = Array.isArray(aud) ? aud : [aud];
  for (const value of values) {
    if (typeof value === 'string' && origins.some((origin) => value === `${origin}${path}`)) return value;
  }
  throw new WimseError('wpt_audience_mismatch', 'WPT aud does not name this service and path');
}
