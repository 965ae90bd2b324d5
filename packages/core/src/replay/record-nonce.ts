import { WimseError } from '../base/errors/wimse-error.js';
import { afterPendingIo } from '../base/runtime/after-pending-io.js';
import type { ReplayStore } from './replay-store.js';

/** Retry-After (seconds) sent when a replay store did not answer. */
const RETRY_AFTER_SEC = '1';

/**
 * Records a replay key (see replay-key.ts) in any replay store, charged to `callerId`, built-in or the user's, within `timeoutMs`: a store that
 * fails, throws or does not answer in time is a 503 `unavailable` with Retry-After (threat O6),
 * never an accepted request and never a hang. A store's own 503 refusal (`unavailable`,
 * `replay_capacity`) is passed on unchanged. Succeeds only when the nonce was fresh: at once (no
 * promise) with a store in this process (`addIfAbsentSync`, the memory store's hot path: no timer,
 * no race), else when the returned promise resolves.
 */
export function recordNonce(
  store: ReplayStore,
  key: string,
  expiresAtMs: number,
  createdAtMs: number,
  timeoutMs: number,
  nowMs?: number,
  callerId?: string,
): undefined | Promise<void> {
  if (typeof store.addIfAbsentSync !== 'function') {
    return recordNonceWithin(store, key, expiresAtMs, createdAtMs, timeoutMs, nowMs, callerId);
  }
  let fresh: unknown;
  try {
    fresh = store.addIfAbsentSync(key, expiresAtMs, createdAtMs, nowMs, callerId);
  } catch (cause) {
    throw storeFailure(cause);
  }
  checkAnswer(fresh);
  return undefined;
}

/** A store that answers asynchronously (Redis, a user's own), raced against `timeoutMs`. */
async function recordNonceWithin(
  store: ReplayStore,
  key: string,
  expiresAtMs: number,
  createdAtMs: number,
  timeoutMs: number,
  nowMs: number | undefined,
  callerId: string | undefined,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // An answer that arrived while this process was busy is read first (after pending I/O), so the
    // timeout measures the store, not the verifier's own event loop.
    timer = setTimeout(
      () =>
        afterPendingIo(() =>
          reject(new WimseError('unavailable', `the replay store did not answer within ${timeoutMs} ms`)),
        ),
      timeoutMs,
    );
  });
  let fresh: unknown;
  try {
    fresh = await Promise.race([store.addIfAbsent(key, expiresAtMs, createdAtMs, nowMs, callerId), timeout]);
  } catch (cause) {
    throw storeFailure(cause);
  } finally {
    clearTimeout(timer);
  }
  checkAnswer(fresh);
}

/** A store's own 503 (`unavailable`, `replay_capacity`) as it is, with Retry-After; anything else is `unavailable`. */
function storeFailure(cause: unknown): WimseError {
  if (cause instanceof WimseError && cause.status === 503) {
    const hasRetryAfter = Object.keys(cause.headers).some((name) => name.toLowerCase() === 'retry-after');
    return hasRetryAfter ? cause : cause.withHeaders({ 'retry-after': RETRY_AFTER_SEC });
  }
  return new WimseError('unavailable', 'the replay store did not answer', {
    cause,
    headers: { 'retry-after': RETRY_AFTER_SEC },
  });
}

function checkAnswer(fresh: unknown): void {
  if (fresh === false) throw new WimseError('replay', 'nonce already seen');
  if (fresh !== true) {
    throw new WimseError('unavailable', 'the replay store answered neither true nor false', {
      headers: { 'retry-after': RETRY_AFTER_SEC },
    });
  }
}
