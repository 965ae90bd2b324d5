import { type CheckedCredentials, checkCredentials, expiredError, hasExpired } from './check-credentials.js';
import { CredentialError } from './credential-error.js';
import type { CredentialSource, CredentialsCallback } from './credential-source.js';

export interface RefreshingCredentialsOptions {
  /** Refresh once less than this fraction of the WIT's lifetime remains (default 0.2). */
  readonly refreshBeforeRatio?: number;
  /** ...or once less than this many seconds remain (default 60); never more than half the lifetime. */
  readonly refreshBeforeSec?: number;
  /** After a failed refresh, while the current WIT is still valid, wait this long before trying again (default 5000 ms). */
  readonly retryDelayMs?: number;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Told about a refresh that failed while the current WIT stayed in use. */
  readonly onRefreshError?: (error: unknown) => void;
}

interface Current {
  readonly checked: CheckedCredentials;
  /** When the next request should obtain new credentials first. */
  readonly refreshAtMs: number;
}

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
  if (typeof callback !== 'function') throw new TypeError('refreshingCredentials: callback must be a function');
  const ratio = options.refreshBeforeRatio ?? 0.2;
  const beforeSec = options.refreshBeforeSec ?? 60;
  const retryDelayMs = options.retryDelayMs ?? 5000;
  if (!(ratio >= 0 && ratio < 1)) throw new TypeError('refreshingCredentials: refreshBeforeRatio must be in [0, 1)');
  if (!(beforeSec >= 0)) throw new TypeError('refreshingCredentials: refreshBeforeSec must be >= 0');
  if (!(retryDelayMs >= 0)) throw new TypeError('refreshingCredentials: retryDelayMs must be >= 0');
  const now = options.now ?? Date.now;
  const where = 'credentials callback';
  let current: Current | undefined;
  let retryAfterMs = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<Current> | undefined;

  async function refresh(): Promise<Current> {
    const obtainedMs = now();
    const checked = await checkCredentials(await callback(), where);
    if (hasExpired(checked, now())) throw expiredError(checked, `${where} returned an expired WIT;`);
    if (current !== undefined && checked.expiresAt <= current.checked.expiresAt) {
      // Nothing fresher yet (e.g. the callback serves its own cache): keep it and ask again later.
      retryAfterMs = now() + retryDelayMs;
      return current;
    }
    const lifetimeSec = checked.expiresAt - (checked.issuedAt ?? Math.floor(obtainedMs / 1000));
    const marginSec = Math.min(Math.max(ratio * lifetimeSec, beforeSec), lifetimeSec / 2);
    current = { checked, refreshAtMs: (checked.expiresAt - marginSec) * 1000 };
    return current;
  }

  /** One refresh at a time, whose outcome every waiting request shares. */
  function sharedRefresh(): Promise<Current> {
    refreshing ??= refresh()
      .catch((error: unknown) => {
        const previous = current;
        if (previous === undefined || hasExpired(previous.checked, now())) {
          throw error instanceof CredentialError
            ? error
            : new CredentialError(`${where} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
        }
        retryAfterMs = now() + retryDelayMs;
        options.onRefreshError?.(error);
        return previous;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  return {
    async getCredentials() {
      const nowMs = now();
      if (
        current !== undefined &&
        (nowMs < current.refreshAtMs || nowMs < retryAfterMs) &&
        !hasExpired(current.checked, nowMs)
      ) {
        return current.checked.credentials;
      }
      return (await sharedRefresh()).checked.credentials;
    },
  };
}
