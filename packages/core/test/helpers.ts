import assert from 'node:assert/strict';
import { WimseError, type WimseErrorCode } from '@wimse-pep/core';

/** Asserts that `promise` rejects with a WimseError of `code` and returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: WimseErrorCode): Promise<WimseError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof WimseError, `expected WimseError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  return caught;
}
