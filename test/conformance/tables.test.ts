/** The two expectation tables are data; these checks keep them consistent. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorCodes } from '@wimse-pep/core';
import { threatRows, threatTags } from './threat-rows.js';
import { vectorRows } from './vector-table.js';
import { wimseyCodes } from './wimsey-codes.js';

describe('conformance tables', () => {
  it('vector ids are unique and every rejection names a code we have', () => {
    const ids = vectorRows.map((row) => row.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const row of vectorRows) {
      assert.ok(
        existsSync(new URL(`../fixtures/vectors/${row.file}`, import.meta.url)),
        `${row.id}: no file ${row.file}`,
      );
      if (row.expect === 'reject') {
        assert.ok(row.code, `${row.id} has no code`);
        assert.ok(
          row.code in errorCodes || (row.layer === 'jose' && row.code.startsWith('ERR_')),
          `${row.id}: ${row.code}`,
        );
      } else {
        assert.equal(row.code, undefined, `${row.id}: a code on a row that is not a rejection`);
      }
    }
  });
  it('the wimsey mapping only names our codes', () => {
    for (const table of Object.values(wimseyCodes)) {
      for (const code of Object.values(table)) assert.ok(code === null || code in errorCodes, String(code));
    }
  });
  it('threat ids are unique; rows that do not fully apply say why', () => {
    const ids = threatRows.map((row) => row.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const row of threatRows) {
      if (row.applicability !== 'applies') assert.ok(row.pending, `${row.id} needs a reason`);
    }
  });
  it('tags are read from the start of a test name', () => {
    assert.deepEqual(threatTags('[O1][W3] storm'), ['O1', 'W3']);
    assert.deepEqual(threatTags('[vec:x] not a threat'), []);
    assert.deepEqual(threatTags('a [S1] in the middle'), []);
  });
  it('the rows are exactly the catalogue rows (shared/spec/threat-catalogue.md, 62 of its rows)', () => {
    const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
    const catalogue = [
      'C1',
      'C2',
      'IO1',
      'IO2',
      ...range('H', 6),
      'U1',
      'U2',
      ...range('W', 11),
      ...range('S', 17),
      ...range('R', 6),
      ...range('P', 5),
      ...range('T', 5),
      ...range('O', 4),
      // O5 and O6 (body handling, dependency timeouts) are covered by their own suites, untagged.
      'O7',
      'O8',
    ];
    assert.deepEqual(threatRows.map((row) => row.id).sort(), catalogue.sort());
  });
});
