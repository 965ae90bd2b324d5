import assert from 'node:assert/strict';
import { WimseError } from '@wimse-pep/core';

/**
 * Awaits a call that must be refused as a store does when it cannot use Redis: a WimseError
 * `unavailable`, 503 with `Retry-After: 1` (and, when given, a message matching `message`).
 */
export async function refusedAsUnavailable(promise: Promise<unknown>, message?: RegExp): Promise<WimseError> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof WimseError, `expected a WimseError, got ${String(error)}`);
  assert.equal(error.code, 'unavailable');
  assert.equal(error.status, 503);
  assert.equal(error.headers['retry-after'], '1');
  if (message !== undefined) assert.match(error.message, message);
  return error;
}
