import { WimseError } from '../base/errors/wimse-error.js';
import { describeValue } from '../base/options/option-checks.js';

/**
 * Validates one configured audience: an http(s) origin this service answers as, with no path,
 * query or fragment. Returned without a trailing slash so that `origin + path` is the target URI.
 */
export function normalizeAudienceOrigin(value: unknown, where: string): string {
  if (typeof value !== 'string') {
    throw new TypeError(`${where} must be an origin like https://orders.example, got ${describeValue(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${where}: ${value} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${where}: ${value} is not http(s)`);
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new TypeError(
      `${where}: ${value} must be an origin such as https://orders.example (no path, query or userinfo)`,
    );
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
