import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { corpusCases } from './x509-corpus/corpus-cases.js';
import { CORPUS_TABLE_PATH, readTableVerdicts, resultVerdicts, WRITE_COMMAND } from './x509-corpus/corpus-table.js';
import { type CorpusResult, runCorpus } from './x509-corpus/run-corpus.js';

/**
 * RFC 5280 path validation, proved case by case: each chain is built by the openssl CLI now and
 * judged by `openssl verify -x509_strict -purpose sslclient` and by the verifier, which must agree
 * with each other and with the verdict the case expects.
 */
describe('X.509 corpus: the verifier judges each chain as openssl verify -x509_strict does', () => {
  const results = new Map<string, CorpusResult>();
  let ordered: CorpusResult[] = [];
  before(async () => {
    ordered = await runCorpus();
    for (const result of ordered) results.set(result.corpusCase.id, result);
  });

  for (const corpusCase of corpusCases) {
    it(`${corpusCase.id}: ${corpusCase.expected} (${corpusCase.shape})`, () => {
      const result = results.get(corpusCase.id);
      assert.ok(result, 'the case ran');
      assert.equal(result.openssl.verdict, corpusCase.expected, `openssl: ${result.openssl.reason}`);
      assert.equal(result.ours.verdict, corpusCase.expected, `wimse-pep: ${result.ours.reason}`);
      if (result.ours.verdict === 'refuse') {
        assert.match(result.ours.reason, /^(certificate_invalid|certificate_untrusted|configuration): /);
      }
    });
  }

  it('case ids are unique', () => {
    assert.equal(new Set(corpusCases.map((corpusCase) => corpusCase.id)).size, corpusCases.length);
  });

  it(`the committed table (${CORPUS_TABLE_PATH}) states these verdicts; regenerate it with ${WRITE_COMMAND}`, () => {
    const table = readFileSync(new URL(`../../../${CORPUS_TABLE_PATH}`, import.meta.url), 'utf8');
    assert.deepEqual(readTableVerdicts(table), resultVerdicts(ordered));
  });
});
