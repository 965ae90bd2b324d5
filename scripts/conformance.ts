/**
 * The conformance report: runs the published-vector suites, the attack suite (one or more tests
 * per threat-catalogue row) and the robustness suite, then joins the results with the two tables
 * that say what is expected (test/conformance/vector-table.ts, test/conformance/threat-rows.ts).
 *
 *   pnpm conformance             the report
 *   pnpm conformance --verbose   also every test, as it finished
 *
 * Exit code 0 only when every vector behaves as its row says, every applicable threat row has a
 * passing test, and no test failed (a `todo` test that fails is a known core bug: listed, not fatal).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { threatIds, threatRows, threatTags } from '../test/conformance/threat-rows.js';
import { type VectorRow, vectorRows } from '../test/conformance/vector-table.js';

interface TestResult {
  readonly status: 'pass' | 'fail';
  readonly name: string;
  readonly file: string | null;
  readonly todo: string | null;
  readonly skip: string | null;
  readonly error: string | null;
}

const root = new URL('..', import.meta.url).pathname;
const verbose = process.argv.includes('--verbose');

function collect(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...collect(path));
    else if (entry.name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

async function runSuites(files: string[]): Promise<{ results: TestResult[]; exitCode: number }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=wimse-source',
      '--import',
      'tsx',
      '--test',
      '--test-reporter=./test/conformance/reporter.mjs',
      '--test-reporter-destination=stdout',
      ...files,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const results: TestResult[] = [];
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (!line.startsWith('{')) continue;
      const result = JSON.parse(line) as TestResult;
      results.push(result);
      if (verbose) console.log(`${mark(result)} ${result.name}`);
    }
  });
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return { results, exitCode };
}

function mark(result: TestResult): string {
  if (result.skip !== null) return 'skip';
  if (result.todo !== null) return result.status === 'pass' ? 'TODO-passes' : 'todo';
  return result.status === 'pass' ? 'ok  ' : 'FAIL';
}

const table = (rows: (string | number)[][], header: string[]): string => {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`;
  return [line(all[0] ?? []), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line)].join('\n');
};

function vectorSource(row: VectorRow): string {
  if (row.file.startsWith('peers/wimsey/v0.2.0')) return 'wimsey format v1 (v0.2.0)';
  if (row.file.startsWith('peers/wimsey/wit')) return 'wimsey WIT (format v2)';
  if (row.file.startsWith('peers/wimsey')) return 'wimsey HTTP-sig (format v4)';
  if (row.file.includes('cofide')) return 'Cofide PoC captures';
  if (row.file.includes('spiffe')) return 'SPIFFE WIT-SVID + bundle';
  if (row.file.startsWith('legacy') || row.file.startsWith('s2s-')) return 'drafts: s2s and legacy';
  if (row.file.startsWith('http-sig-07-final')) return 'drafts: http-sig-07 final (3.7)';
  return 'drafts: creds, WPT, http-sig';
}

async function main(): Promise<void> {
  const files = [...collect(join(root, 'test/conformance')), ...collect(join(root, 'test/fuzz'))].sort();
  const { results, exitCode } = await runSuites(files);
  const problems: string[] = [];
  const knownBugs: TestResult[] = [];

  for (const result of results) {
    if (result.todo !== null) {
      if (result.status === 'fail') knownBugs.push(result);
      else problems.push(`todo test now passes (remove its todo): ${result.name}`);
      continue;
    }
    if (result.status === 'fail') problems.push(`failed: ${result.name}${result.error ? ` — ${result.error}` : ''}`);
    for (const tag of threatTags(result.name)) {
      if (!threatIds.has(tag)) problems.push(`unknown threat id [${tag}] in: ${result.name}`);
    }
  }

  // Vectors: every row of the table, joined with its test by the [vec:<id>] tag.
  const byVector = new Map<string, TestResult[]>();
  for (const result of results) {
    const id = /^\[vec:([^\]]+)\]/.exec(result.name)?.[1];
    if (id !== undefined) byVector.set(id, [...(byVector.get(id) ?? []), result]);
  }
  const known = new Set(vectorRows.map((row) => row.id));
  for (const id of byVector.keys()) if (!known.has(id)) problems.push(`test for a vector not in the table: ${id}`);
  const sources = new Map<
    string,
    { checks: number; accept: [number, number]; reject: [number, number]; na: number; todo: number }
  >();
  for (const row of vectorRows) {
    const source = vectorSource(row);
    const entry = sources.get(source) ?? { checks: 0, accept: [0, 0], reject: [0, 0], na: 0, todo: 0 };
    sources.set(source, entry);
    entry.checks++;
    const tests = byVector.get(row.id) ?? [];
    if (row.expect === 'not-applicable') {
      entry.na++;
      if (tests.length > 0) problems.push(`vector ${row.id} is marked not applicable but has a test`);
      continue;
    }
    const counter = row.expect === 'accept' ? entry.accept : entry.reject;
    counter[1]++;
    if (tests.length === 0) {
      problems.push(`vector ${row.id}: no test ran`);
    } else if (tests.some((t) => t.todo !== null && t.status === 'fail')) {
      entry.todo++;
    } else if (tests.every((t) => t.status === 'pass' && t.todo === null && t.skip === null)) {
      counter[0]++;
    }
  }

  // Threat rows: every applicable row needs a passing test named with its id.
  const perRow = new Map<string, { pass: number; todo: number }>();
  for (const result of results) {
    for (const tag of threatTags(result.name)) {
      const entry = perRow.get(tag) ?? { pass: 0, todo: 0 };
      perRow.set(tag, entry);
      if (result.todo !== null && result.status === 'fail') entry.todo++;
      else if (result.status === 'pass' && result.skip === null && result.todo === null) entry.pass++;
    }
  }
  const groups = new Map<
    string,
    { rows: number; covered: number; partial: number; notYet: number; tests: number; todo: number }
  >();
  for (const row of threatRows) {
    const group = groups.get(row.group) ?? { rows: 0, covered: 0, partial: 0, notYet: 0, tests: 0, todo: 0 };
    groups.set(row.group, group);
    group.rows++;
    const counts = perRow.get(row.id) ?? { pass: 0, todo: 0 };
    group.tests += counts.pass;
    group.todo += counts.todo;
    if (row.applicability === 'not-yet') {
      group.notYet++;
      if (counts.pass > 0)
        problems.push(`threat row ${row.id} is marked not-yet but has passing tests: update threat-rows.ts`);
      continue;
    }
    if (counts.pass === 0) problems.push(`threat row ${row.id} applies but no test named [${row.id}] passed`);
    else if (row.applicability === 'partial') group.partial++;
    else group.covered++;
  }

  // The report.
  const totals = { checks: 0, acceptOk: 0, accept: 0, rejectOk: 0, reject: 0, na: 0, todo: 0 };
  const vectorTable = [...sources].map(([source, e]) => {
    totals.checks += e.checks;
    totals.acceptOk += e.accept[0];
    totals.accept += e.accept[1];
    totals.rejectOk += e.reject[0];
    totals.reject += e.reject[1];
    totals.na += e.na;
    totals.todo += e.todo;
    return [source, e.checks, `${e.accept[0]}/${e.accept[1]}`, `${e.reject[0]}/${e.reject[1]}`, e.na, e.todo];
  });
  vectorTable.push([
    'total',
    totals.checks,
    `${totals.acceptOk}/${totals.accept}`,
    `${totals.rejectOk}/${totals.reject}`,
    totals.na,
    totals.todo,
  ]);

  const threatTable = [...groups].map(([group, g]) => [group, g.rows, g.covered, g.partial, g.notYet, g.tests, g.todo]);
  const sum = (key: 'rows' | 'covered' | 'partial' | 'notYet' | 'tests' | 'todo') =>
    [...groups.values()].reduce((n, g) => n + g[key], 0);
  threatTable.push(['total', sum('rows'), sum('covered'), sum('partial'), sum('notYet'), sum('tests'), sum('todo')]);

  const robustness = results.filter((r) => r.file?.includes('/test/fuzz/'));
  const out: string[] = [];
  out.push('WIMSE PEP conformance report');
  out.push('============================', '');
  out.push(`Vectors: ${vectorRows.length} checks of published examples (test/conformance/vector-table.ts)`);
  out.push(table(vectorTable, ['source', 'checks', 'accepted ok', 'rejected ok', 'n/a', 'todo']));
  out.push(
    `  => ${totals.acceptOk}/${totals.accept} accepted and ${totals.rejectOk}/${totals.reject} rejected as expected; ${totals.na} not applicable; ${totals.todo} known core bug(s)`,
    '',
  );
  const applicable = threatRows.filter((row) => row.applicability !== 'not-yet').length;
  out.push(`Threat catalogue: ${threatRows.length} rows (test/conformance/threat-rows.ts)`);
  out.push(table(threatTable, ['group', 'rows', 'covered', 'partial', 'not yet', 'tests', 'todo']));
  out.push(
    `  => ${sum('covered') + sum('partial')}/${threatRows.length} rows covered (${applicable} applicable, ${sum('partial')} of them in part)`,
  );
  for (const row of threatRows.filter((r) => r.applicability === 'partial'))
    out.push(`     partial  ${row.id}: ${row.pending}`);
  for (const row of threatRows.filter((r) => r.applicability === 'not-yet'))
    out.push(`     not yet  ${row.id}: ${row.pending}`);
  out.push('');
  out.push(
    `Robustness (test/fuzz): ${robustness.filter((r) => r.status === 'pass' && r.todo === null).length}/${robustness.length} property and limit tests passed`,
  );
  out.push('');
  if (knownBugs.length > 0) {
    out.push(`Known core bugs (todo tests, failing as expected): ${knownBugs.length}`);
    for (const bug of knownBugs) out.push(`  - ${bug.name} — ${bug.todo}`);
    out.push('');
  }
  if (exitCode !== 0 && problems.length === 0) problems.push(`the test runner exited with ${exitCode}`);
  if (problems.length === 0) {
    out.push(`Result: OK (${results.length} tests)`);
  } else {
    out.push(`Result: ${problems.length} unexpected result(s)`);
    for (const problem of problems) out.push(`  ! ${problem}`);
  }
  console.log(out.join('\n'));
  process.exitCode = problems.length === 0 ? 0 : 1;
}

await main();
