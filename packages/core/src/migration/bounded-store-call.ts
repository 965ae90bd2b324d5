import { WimseError } from '../base/errors/wimse-error.js';

/** Retry-After (seconds) sent when the migration store did not answer. */
const RETRY_AFTER_SEC = '1';

/**
 * One migration-store call, bounded in time: a rejection or no answer within `timeoutMs` is
 * `unavailable` (503), so that a store outage never lets a bearer token through unchecked.
 */
export async function boundedStoreCall<T>(call: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new WimseError('unavailable', `the migration store did not answer ${what} within ${timeoutMs} ms`, {
            headers: { 'retry-after': RETRY_AFTER_SEC },
          }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(call), timeout]);
  } catch (cause) {
    if (cause instanceof WimseError) throw cause;
    throw new WimseError('unavailable', `the migration store failed ${what}`, {
      cause,
      headers: { 'retry-after': RETRY_AFTER_SEC },
    });
  } finally {
    clearTimeout(timer);
  }
}
