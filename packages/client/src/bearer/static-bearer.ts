import { hasExpired } from '../expiry/has-expired.js';
import { bearerExpiredError } from './bearer-expired-error.js';
import type { BearerSource } from './bearer-source.js';
import { type CheckedBearerToken, checkBearerToken } from './check-bearer-token.js';

export interface StaticBearerOptions {
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * A fixed bearer token, checked when the source is created (a TypeError names what is wrong,
 * never the token). A JWT past its `exp` is not sent: every request after it fails with a
 * CredentialError; use a callback for tokens that rotate.
 */
export function staticBearer(token: string, options: StaticBearerOptions = {}): BearerSource {
  const now = options.now ?? Date.now;
  let checked: CheckedBearerToken;
  try {
    checked = checkBearerToken(token, 'bearer');
  } catch (error) {
    throw new TypeError((error as Error).message);
  }
  return {
    async getBearer() {
      if (hasExpired(checked, now())) throw bearerExpiredError(checked, 'bearer');
      return checked.token;
    },
  };
}
