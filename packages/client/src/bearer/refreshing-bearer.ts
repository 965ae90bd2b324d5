import { type RefreshOptions, refreshingValue } from '../expiry/refreshing-value.js';
import { bearerExpiredError } from './bearer-expired-error.js';
import type { BearerCallback, BearerSource } from './bearer-source.js';
import { checkBearerToken } from './check-bearer-token.js';

/** When the token is obtained again; the token's lifetime is read from the JWT's `exp` and `iat`. */
export interface RefreshingBearerOptions extends RefreshOptions {}

/**
 * A bearer token obtained from a callback and obtained again before it expires, on the same rule
 * as `refreshingCredentials`: once less than `max(refreshBeforeRatio × lifetime, refreshBeforeSec)`
 * remains (capped at half the lifetime), reading the lifetime from the JWT's `exp` and `iat`.
 * Concurrent requests share one call. A failed refresh keeps an unexpired token in use and is
 * retried after `retryDelayMs`. An opaque token (no readable `exp`) cannot be judged: the callback
 * is asked before every request, so it should cache the token itself.
 */
export function refreshingBearer(callback: BearerCallback, options: RefreshingBearerOptions = {}): BearerSource {
  const where = 'bearer callback';
  const currentToken = refreshingValue(
    {
      factory: 'refreshingBearer',
      where,
      callback,
      check: (token) => checkBearerToken(token, where),
      expiredOnArrival: (checked) => bearerExpiredError(checked, `${where} returned an expired token;`),
    },
    options,
  );
  return {
    async getBearer() {
      return (await currentToken()).token;
    },
  };
}
