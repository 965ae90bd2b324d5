/**
 * Every benchmark keeps one current table, `bench/results/<name>.md`: a run replaces the table and
 * says when, on what machine and Node, and with which command it was measured. Past runs are in
 * git history. What follows NOTES_MARKER in the file (goals and where they stand, written by hand)
 * is kept when the benchmark runs again.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** Starts the hand-written part of a results file; a re-run keeps everything from this line on. */
export const NOTES_MARKER = '<!-- Written by hand from here on: a re-run of the benchmark keeps it. -->';

export interface Benchmark {
  /** The results file's name without `.md`: `load` is bench/results/load.md. */
  readonly name: string;
  readonly title: string;
  /** How it is run, e.g. `pnpm bench:load`. */
  readonly command: string;
  /** The environment variables it reads; those set for this run are shown before the command. */
  readonly settings: readonly string[];
}

/** The command of this run: the settings given in the environment, then the benchmark's command. */
export function commandOf(benchmark: Benchmark): string {
  const given = benchmark.settings.filter((name) => process.env[name] !== undefined);
  return [...given.map((name) => `${name}=${process.env[name]}`), benchmark.command].join(' ');
}

/** CPU model and count, memory and Node version of this machine. */
export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/**
 * Prints the report and writes it as bench/results/<name>.md, keeping the file's hand-written
 * notes. BENCH_WRITE=0 only prints. A partial run (`complete: false`: a subset of the peers, no
 * memory run...) only prints unless BENCH_WRITE=1, so that it never replaces the full table.
 */
export function recordResults(benchmark: Benchmark, body: readonly string[], complete = true): void {
  const report = [
    `# ${benchmark.title}`,
    '',
    `Measured ${new Date().toISOString()} on ${machine()}, with \`${commandOf(benchmark)}\`.`,
    '',
    ...body,
  ]
    .join('\n')
    .trimEnd();
  console.log(`\n${report}`);
  const write = process.env.BENCH_WRITE ?? (complete ? '1' : '0');
  const file = new URL(`./results/${benchmark.name}.md`, import.meta.url);
  if (write === '0') {
    console.log(`\n(not written to bench/results/${benchmark.name}.md${complete ? '' : ': a partial run'})`);
    return;
  }
  const notes = existsSync(file) ? keptNotes(readFileSync(file, 'utf8')) : undefined;
  writeFileSync(file, notes === undefined ? `${report}\n` : `${report}\n\n${notes}`);
}

function keptNotes(text: string): string | undefined {
  const start = text.indexOf(NOTES_MARKER);
  return start === -1 ? undefined : text.slice(start);
}
