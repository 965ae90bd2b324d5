import { WimseError } from '../base/errors/wimse-error.js';
import { optionError } from '../base/options/option-checks.js';

/**
 * Validates one configured audience: an http(s) origin this service answers as, with no path,
 * query or fragment. Returned without a trailing slash so that `origin + path` is the target URI.
 */
export function normalizeAudienceOrigin(value: unknown, where: string): string {
  if (typeof value !== 'string') {
    throw optionError(where, 'an origin like https://orders.example', value);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw optionError(where, 'an origin like https://orders.example (an absolute URL)', value);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw optionError(where, 'an http(s) origin', value);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw optionError(where, 'an origin such as https://orders.example (no path, query or userinfo)', value);
  }
  return url.origin;
}

/**
 * `wimse-aud` must be one of this service's configured origins followed by the request path as
 * received (the target URI without query), never a value derived from `Host` (threat S9).
 */
export function checkAudience(audience: string | undefined, origins: readonly string[], path: string): void {
  if (audience === undefined) return;
  if (!origins.some((origin) => audience === `${origin}${path}`)) {
    throw new WimseError('audience_mismatch', 'wimse-aud does not name this service and path');
  }
}
