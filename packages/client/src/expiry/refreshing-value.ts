import { CredentialError } from '../errors/credential-error.js';
import { type ExpiringValue, hasExpired } from './has-expired.js';

/** When a refreshing source obtains its value again, and what it does when that fails. */
export interface RefreshOptions {
  /** Refresh once less than this fraction of the value's lifetime remains (default 0.2). */
  readonly refreshBeforeRatio?: number;
  /** ...or once less than this many seconds remain (default 60); never more than half the lifetime. */
  readonly refreshBeforeSec?: number;
  /** After a failed refresh, while the current value is still valid, wait this long before trying again (default 5000 ms). */
  readonly retryDelayMs?: number;
  /** The clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Told about a refresh that failed while the current value stayed in use (never given the value). */
  readonly onRefreshError?: (error: unknown) => void;
}

/** What a refreshing source obtains and how it names itself; the rest of the rule is shared. */
export interface RefreshedValue<Given, Checked extends ExpiringValue> {
  /** The public factory, named in option errors (`refreshingBearer: retryDelayMs must be >= 0`). */
  readonly factory: string;
  /** The callback, named in failures (`bearer callback failed: ...`). */
  readonly where: string;
  readonly callback: () => Promise<Given> | Given;
  /** Checks what the callback gave; throws a CredentialError that never repeats a secret. */
  readonly check: (given: Given) => Promise<Checked> | Checked;
  /** The error for a value that had already expired when the callback gave it. */
  readonly expiredOnArrival: (checked: Checked) => CredentialError;
}

interface Current<Checked> {
  readonly checked: Checked;
  /** When the next request should obtain a new value first; undefined: before every request. */
  readonly refreshAtMs: number | undefined;
}

/**
 * A value obtained from a callback and obtained again before it expires: once less than
 * `max(refreshBeforeRatio × lifetime, refreshBeforeSec)` remains (capped at half the lifetime, so
 * a very short-lived value is not refreshed on every request). The lifetime is `expiresAt -
 * issuedAt` (or `expiresAt` minus the time it was obtained). Concurrent requests share one call of
 * the callback. When a refresh fails and the current value is still valid, it stays in use and the
 * refresh is retried after `retryDelayMs`; once it has expired, the failure rejects the request. A
 * value without a known expiry cannot be judged: the callback is asked before every request.
 * Returns the function that resolves the value to use now.
 */
export function refreshingValue<Given, Checked extends ExpiringValue>(
  source: RefreshedValue<Given, Checked>,
  options: RefreshOptions,
): () => Promise<Checked> {
  const { factory, where, callback } = source;
  if (typeof callback !== 'function') throw new TypeError(`${factory}: callback must be a function`);
  const ratio = options.refreshBeforeRatio ?? 0.2;
  const beforeSec = options.refreshBeforeSec ?? 60;
  const retryDelayMs = options.retryDelayMs ?? 5000;
  if (!(ratio >= 0 && ratio < 1)) throw new TypeError(`${factory}: refreshBeforeRatio must be in [0, 1)`);
  if (!(beforeSec >= 0)) throw new TypeError(`${factory}: refreshBeforeSec must be >= 0`);
  if (!(retryDelayMs >= 0)) throw new TypeError(`${factory}: retryDelayMs must be >= 0`);
  const now = options.now ?? Date.now;
  let current: Current<Checked> | undefined;
  let retryAfterMs = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<Current<Checked>> | undefined;

  async function refresh(): Promise<Current<Checked>> {
    const obtainedMs = now();
    const checked = await source.check(await callback());
    if (hasExpired(checked, now())) throw source.expiredOnArrival(checked);
    if (checked.expiresAt === undefined) {
      current = { checked, refreshAtMs: undefined };
      return current;
    }
    const previousExp = current?.checked.expiresAt;
    if (current !== undefined && previousExp !== undefined && checked.expiresAt <= previousExp) {
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
  function sharedRefresh(): Promise<Current<Checked>> {
    refreshing ??= refresh()
      .catch((error: unknown) => {
        const previous = current;
        if (previous === undefined || previous.refreshAtMs === undefined || hasExpired(previous.checked, now())) {
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

  return async () => {
    const nowMs = now();
    if (
      current?.refreshAtMs !== undefined &&
      (nowMs < current.refreshAtMs || nowMs < retryAfterMs) &&
      !hasExpired(current.checked, nowMs)
    ) {
      return current.checked;
    }
    return (await sharedRefresh()).checked;
  };
}
