import { parseCheckpoint } from '../checkpoint/checkpoint-text.js';
import { AuditError, type AuditErrorCode } from '../errors/audit-error.js';
import type { NoteVerifier } from '../note/note-keys.js';
import { openNote } from '../note/open-note.js';
import { parseVerifierKey } from '../note/parse-verifier-key.js';
import { LogChecker } from './log-checker.js';
import { readLogLines } from './read-log-lines.js';

export interface VerifyAuditLogOptions {
  /** The log's files, oldest first (rotated files, then the active one); one file is fine. */
  readonly files: readonly string[];
  /** The checkpoint keys: verifier key texts (`<name>+<id>+<key>`) or parsed keys. Old and new while rotating. */
  readonly keys: readonly (string | NoteVerifier)[];
  /** Signed checkpoints kept elsewhere (shipped off the machine): the log must still hold their trees. */
  readonly checkpoints?: readonly string[];
}

export interface AuditLogSummary {
  readonly origin: string | undefined;
  /** Index of the first record read (0, unless the first file given continues an earlier one). */
  readonly firstRecord: number;
  /** Number of records in the log up to the end of the last file. */
  readonly records: number;
  readonly files: number;
  /** Checkpoint records verified in the files. */
  readonly checkpoints: number;
  readonly lastCheckpoint: { readonly record: number; readonly size: number; readonly root: string } | undefined;
  /** Records after the last checkpoint: chained, not signed yet. */
  readonly unsigned: number;
  /** Checkpoints kept elsewhere that the log matched. */
  readonly keptElsewhere: number;
  /** The last writer closed the log (a stop record then its checkpoint end it). */
  readonly closed: boolean;
  readonly warnings: readonly string[];
}

export interface AuditLogProblem {
  readonly code: AuditErrorCode;
  readonly message: string;
  /** Index of the first record where the log breaks, when one can be named. */
  readonly record?: number | undefined;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
}

export type AuditLogReport =
  | ({ readonly ok: true } & AuditLogSummary)
  | ({ readonly ok: false; readonly problem: AuditLogProblem } & AuditLogSummary);

/**
 * Verifies an audit log: every record in canonical form, numbered without a gap, chained by
 * hash; every checkpoint signed by one of the keys, for this log, over the records before it;
 * every checkpoint kept elsewhere still matched (the log was not cut before it). Stops at the
 * first problem and names the record. Never throws for a bad log: the report says what is wrong.
 */
export async function verifyAuditLog(options: VerifyAuditLogOptions): Promise<AuditLogReport> {
  const warnings: string[] = [];
  let checker = new LogChecker({});
  try {
    if (options.files.length === 0) throw new TypeError('verifyAuditLog: files must name at least one file');
    const verifiers = options.keys.map((key) => (typeof key === 'string' ? parseVerifierKey(key) : key));
    if (verifiers.length === 0) throw new TypeError('verifyAuditLog: keys must hold at least one verifier key');
    const keptElsewhere = (options.checkpoints ?? []).map((note, n) => {
      try {
        return parseCheckpoint(openNote(note, verifiers).text);
      } catch (error) {
        throw new AuditError(
          'checkpoint_signature',
          `checkpoint kept elsewhere #${n + 1}: ${(error as Error).message}`,
        );
      }
    });
    checker = new LogChecker({ verifiers, keptElsewhere });
    await checkFiles(checker, options.files, warnings);
    checker.finish();
    return { ok: true, ...summarize(checker, warnings) };
  } catch (error) {
    if (!(error instanceof AuditError)) throw error;
    const problem: AuditLogProblem = { code: error.code, message: error.message, ...error.position };
    return { ok: false, problem, ...summarize(checker, warnings) };
  }
}

/** Feeds every complete line of the files to the checker; an incomplete last line is a warning. */
export async function checkFiles(
  checker: LogChecker,
  files: readonly string[],
  warnings: string[],
  onRecord?: (checked: ReturnType<LogChecker['line']>) => void,
): Promise<void> {
  for (const file of files) {
    checker.beginFile(file);
    try {
      for await (const line of readLogLines(file)) {
        if (!line.complete) {
          warnings.push(`line ${line.number} of ${file} is incomplete (a write cut short): ignored`);
          continue;
        }
        const checked = checker.line(line.text, line.number);
        onRecord?.(checked);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (error instanceof AuditError || typeof code !== 'string') throw error;
      throw new AuditError('file_unreadable', `${file} cannot be read: ${code}`, { position: { file } });
    }
  }
}

function summarize(checker: LogChecker, warnings: readonly string[]): AuditLogSummary {
  const state = checker.state;
  const last = state.checkpoints.at(-1);
  return {
    origin: state.origin,
    firstRecord: state.firstRecord,
    records: state.nextRecord,
    files: state.files,
    checkpoints: state.checkpoints.length,
    lastCheckpoint: last && { record: last.record, size: last.size, root: last.root.toString('base64') },
    unsigned: last ? state.nextRecord - last.record - 1 : state.nextRecord - state.firstRecord,
    keptElsewhere: state.keptElsewhereMatched,
    closed: state.last?.kind === 'checkpoint' && state.beforeLast?.kind === 'stop',
    warnings,
  };
}
