import { CredentialError } from '../credentials/credential-error.js';
import type { BearerCallback, BearerSource } from './bearer-source.js';
import {
  bearerExpiredError,
  bearerHasExpired,
  type CheckedBearerToken,
  checkBearerToken,
} from './check-bearer-token.js';

export interface RefreshingBearerOptions {
  /** Refresh once less than this fraction of the token's lifetime remains (default 0.2). */
  readonly refreshBeforeRatio?: number;
  /** ...or once less than this many seconds remain (default 60); never more than half the lifetime. */
  readonly refreshBeforeSec?: number;
  /** After a failed refresh, while the current token is still valid, wait this long before trying again (default 5000 ms). */
  readonly retryDelayMs?: number;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Told about a refresh that failed while the current token stayed in use (never given the token). */
  readonly onRefreshError?: (error: unknown) => void;
}

interface Current {
  readonly checked: CheckedBearerToken;
  /** When the next request should obtain a new token first; undefined: before every request. */
  readonly refreshAtMs: number | undefined;
}

/**
 * A bearer token obtained from a callback and obtained again before it expires, on the same rule
 * as `refreshingCredentials`: once less than `max(refreshBeforeRatio × lifetime, refreshBeforeSec)`
 * remains (capped at half the lifetime), reading the lifetime from the JWT's `exp` and `iat`.
 * Concurrent requests share one call. A failed refresh keeps an unexpired token in use and is
 * retried after `retryDelayMs`. An opaque token (no readable `exp`) cannot be judged: the callback
 * is asked before every request, so it should cache the token itself.
 */
export function refreshingBearer(callback: BearerCallback, options: RefreshingBearerOptions = {}): BearerSource {
  if (typeof callback !== 'function') throw new TypeError('refreshingBearer: callback must be a function');
  const ratio = options.refreshBeforeRatio ?? 0.2;
  const beforeSec = options.refreshBeforeSec ?? 60;
  const retryDelayMs = options.retryDelayMs ?? 5000;
  if (!(ratio >= 0 && ratio < 1)) throw new TypeError('refreshingBearer: refreshBeforeRatio must be in [0, 1)');
  if (!(beforeSec >= 0)) throw new TypeError('refreshingBearer: refreshBeforeSec must be >= 0');
  if (!(retryDelayMs >= 0)) throw new TypeError('refreshingBearer: retryDelayMs must be >= 0');
  const now = options.now ?? Date.now;
  const where = 'bearer callback';
  let current: Current | undefined;
  let retryAfterMs = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<Current> | undefined;

  async function refresh(): Promise<Current> {
    const obtainedMs = now();
    const checked = checkBearerToken(await callback(), where);
    if (bearerHasExpired(checked, now())) throw bearerExpiredError(checked, `${where} returned an expired token;`);
    if (checked.expiresAt === undefined) {
      current = { checked, refreshAtMs: undefined };
      return current;
    }
    const previousExp = current?.checked.expiresAt;
    if (current !== undefined && previousExp !== undefined && checked.expiresAt <= previousExp) {
      // Nothing fresher yet (the callback serves its own cache): keep it and ask again later.
      retryAfterMs = now() + retryDelayMs;
      return current;
    }
    const lifetimeSec = checked.expiresAt - (checked.issuedAt ?? Math.floor(obtainedMs / 1000));
    const marginSec = Math.min(Math.max(ratio * lifetimeSec, beforeSec), lifetimeSec / 2);
    current = { checked, refreshAtMs: (checked.expiresAt - marginSec) * 1000 };
    return current;
  }

  function sharedRefresh(): Promise<Current> {
    refreshing ??= refresh()
      .catch((error: unknown) => {
        const previous = current;
        if (previous === undefined || previous.refreshAtMs === undefined || bearerHasExpired(previous.checked, now())) {
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
    async getBearer() {
      const nowMs = now();
      if (
        current?.refreshAtMs !== undefined &&
        (nowMs < current.refreshAtMs || nowMs < retryAfterMs) &&
        !bearerHasExpired(current.checked, nowMs)
      ) {
        return current.checked.token;
      }
      return (await sharedRefresh()).checked.token;
    },
  };
}
