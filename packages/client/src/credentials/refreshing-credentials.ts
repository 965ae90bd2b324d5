import { type RefreshOptions, refreshingValue } from '../expiry/refreshing-value.js';
import { checkCredentials } from './check-credentials.js';
import type { CredentialSource, CredentialsCallback } from './credential-source.js';
import { witExpiredError } from './wit-expired-error.js';

/** When the credentials are obtained again; the lifetime is the WIT's. */
export interface RefreshingCredentialsOptions extends RefreshOptions {}

/**
 * Credentials obtained from a callback and obtained again before the WIT expires: once less than
 * `max(refreshBeforeRatio × lifetime, refreshBeforeSec)` remains (capped at half the lifetime, so
 * a very short-lived WIT is not refreshed on every request). The lifetime is `exp - iat` (or
 * `exp` minus the time it was obtained). Concurrent requests share one call of the callback. When
 * a refresh fails and the current WIT is still valid, it stays in use and the refresh is retried
 * after `retryDelayMs`; once it has expired, the failure rejects the request.
 */
export function refreshingCredentials(
  callback: CredentialsCallback,
  options: RefreshingCredentialsOptions = {},
): CredentialSource {
  const where = 'credentials callback';
  const currentCredentials = refreshingValue(
    {
      factory: 'refreshingCredentials',
      where,
      callback,
      check: (credentials) => checkCredentials(credentials, where),
      expiredOnArrival: (checked) => witExpiredError(checked, `${where} returned an expired WIT;`),
    },
    options,
  );
  return {
    async getCredentials() {
      return (await currentCredentials()).credentials;
    },
  };
}
