/**
 * Writes the corpus table (packages/core/test/fixtures/x509-corpus.md): every case's chain built by
 * the openssl CLI and judged by `openssl verify` and by the verifier. Run from the repository root.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { CORPUS_TABLE_PATH, renderCorpusTable } from './corpus-table.js';
import { runCorpus } from './run-corpus.js';

const results = await runCorpus();
const version = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
writeFileSync(CORPUS_TABLE_PATH, renderCorpusTable(results, version));
const disagreeing = results.filter(
  (result) => result.openssl.verdict !== result.ours.verdict || result.ours.verdict !== result.corpusCase.expected,
);
console.log(`${CORPUS_TABLE_PATH}: ${results.length} cases, ${disagreeing.length} disagreeing`);
for (const result of disagreeing) console.log(`  ${result.corpusCase.id}`);
