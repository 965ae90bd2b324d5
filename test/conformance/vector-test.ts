import assert from 'node:assert/strict';
import { it } from 'node:test';
import { WimseError } from '@wimse-pep/core';
import { describeError, settle } from './helpers.js';
import { type VectorRow, vectorRow, vectorTag } from './vector-table.js';

/** How a row reads in a test name. */
export function expectation(row: VectorRow): string {
  if (row.expect === 'accept') return 'accepted';
  if (row.expect === 'reject') return `rejected as ${row.code}`;
  return 'not applicable';
}

/**
 * Registers the test of one vector row: `run` performs the check at the row's layer, and the
 * outcome must be the row's (accepted, or rejected with exactly its code). `check` may assert more
 * about an accepted value.
 */
export function vectorTest(
  id: string,
  run: () => unknown,
  options: { todo?: string; check?: (value: unknown) => void | Promise<void>; messageIncludes?: string } = {},
): void {
  const row = vectorRow(id);
  const name = `${vectorTag(id)} ${expectation(row)} (${row.layer}${row.profile ? `, ${row.profile}` : ''}): ${row.note}`;
  it(name, options.todo === undefined ? {} : { todo: options.todo }, async () => {
    assert.notEqual(row.expect, 'not-applicable', `${id} is marked not applicable but has a test`);
    const outcome = await settle(run);
    if (row.expect === 'accept') {
      assert.ok(outcome.ok, `${id}: expected acceptance, got ${outcome.ok ? '' : describeError(outcome.error)}`);
      await options.check?.(outcome.value);
      return;
    }
    assert.ok(!outcome.ok, `${id}: expected rejection as ${row.code}, but it was accepted`);
    const { error } = outcome;
    const code = error instanceof WimseError ? error.code : (error as { code?: unknown } | undefined)?.code;
    assert.equal(code, row.code, `${id}: expected ${row.code}, got ${describeError(error)}`);
    if (error instanceof WimseError)
      assert.ok(error.status >= 400 && error.status < 500, `${id}: status ${error.status}`);
    const reason = options.messageIncludes ?? row.reason;
    if (reason !== undefined) {
      assert.ok(
        error instanceof Error && error.message.includes(reason),
        `${id}: the reason should mention "${reason}": ${describeError(error)}`,
      );
    }
  });
}
