import { existsSync, statSync } from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { formatCheckpoint } from '../checkpoint/checkpoint-text.js';
import { AuditError } from '../errors/audit-error.js';
import { CompactRange } from '../merkle/compact-range.js';
import type { NoteSigner } from '../note/note-keys.js';
import { signNote } from '../note/sign-note.js';
import { encodeRecord, hashRecordLine } from '../record/encode-record.js';
import {
  type LogRecord,
  type PreparedDecision,
  RECORD_FORMAT_VERSION,
  type UnchainedRecord,
} from '../record/log-record.js';
import { LogChecker } from '../verify/log-checker.js';
import { checkFiles } from '../verify/verify-audit-log.js';
import { cutTornLine } from './cut-torn-line.js';
import { acquireLock } from './lock-file.js';
import { rotatedFileName, rotatedFiles } from './rotated-files.js';

export interface LogWriterOptions {
  /** The active file; rotated files are kept beside it (`<file>.<index of their first record>`). */
  readonly file: string;
  readonly origin: string;
  readonly signers: readonly NoteSigner[];
  /** Name used in error messages (the factory). */
  readonly what: string;
}

/** A signed checkpoint, as handed to `onCheckpoint` to be shipped off the machine. */
export interface SignedCheckpoint {
  readonly origin: string;
  /** Records covered: 0 to size - 1. */
  readonly size: number;
  /** RFC 6962 root hash, base64. */
  readonly root: string;
  /** The C2SP signed note (what `audit verify --checkpoint` reads). */
  readonly note: string;
}

/**
 * Appends chained records to the active file of one log, signs checkpoints over them, rotates
 * files. One writer per log (a lock file); it resumes where the last one stopped, and records a
 * crash gap when the last one did not close the log. Not safe for concurrent calls: its owner
 * (the audit trail) calls it one operation at a time.
 */
export class LogWriter {
  readonly #options: LogWriterOptions;
  readonly #release: () => void;
  #handle: FileHandle;
  #fileStart: number;
  #bytes: number;
  #tree: CompactRange;
  #prevHash: string | undefined;
  #sinceCheckpoint = 0;

  private constructor(
    options: LogWriterOptions,
    release: () => void,
    handle: FileHandle,
    state: { fileStart: number; bytes: number; tree: CompactRange; prevHash: string | undefined },
  ) {
    this.#options = options;
    this.#release = release;
    this.#handle = handle;
    this.#fileStart = state.fileStart;
    this.#bytes = state.bytes;
    this.#tree = state.tree;
    this.#prevHash = state.prevHash;
  }

  static async open(options: LogWriterOptions): Promise<LogWriter> {
    const release = acquireLock(`${options.file}.lock`, options.what);
    try {
      return await LogWriter.#resume(options, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  static async #resume(options: LogWriterOptions, release: () => void): Promise<LogWriter> {
    let tornBytes = existsSync(options.file) ? await cutTornLine(options.file) : 0;
    // An active file with no complete record (a crash right after a rotation created it) is new.
    const active = existsSync(options.file) && statSync(options.file).size > 0;
    const previous = active ? options.file : rotatedFiles(options.file).at(-1);
    let recovered: LogChecker['state'] | undefined;
    if (previous !== undefined) {
      if (!active) tornBytes += await cutTornLine(previous);
      // Signatures are the auditor's to check (an old key may have signed them): the writer
      // checks that the chain and the roots are intact before it writes on.
      const checker = new LogChecker({});
      try {
        await checkFiles(checker, [previous], []);
      } catch (error) {
        const detail = error instanceof AuditError ? `${error.code}: ${error.message}` : String(error);
        throw new Error(
          `${options.what}: ${previous} is not an intact audit log (${detail}); move it aside and keep it for investigation`,
        );
      }
      recovered = checker.state;
      if (recovered.origin !== undefined && recovered.origin !== options.origin) {
        throw new Error(`${options.what}: ${previous} is the log of ${recovered.origin}, not ${options.origin}`);
      }
    }
    const tree = recovered?.tree ?? new CompactRange();
    const handle = await open(options.file, 'a', 0o640);
    const bytes = (await handle.stat()).size;
    const writer = new LogWriter(options, release, handle, {
      fileStart: active ? (recovered?.firstRecord ?? 0) : tree.size,
      bytes,
      tree,
      prevHash: recovered?.prevHash,
    });
    try {
      await writer.#writeStart(active ? 'resumed' : tree.size === 0 ? 'new' : 'rotated');
      const last = recovered?.last;
      const closed = last?.kind === 'checkpoint' && recovered?.beforeLast?.kind === 'stop';
      if (last && (!closed || tornBytes > 0)) {
        await writer.append([
          {
            kind: 'gap',
            cause: 'crash',
            time: new Date().toISOString(),
            after: last.i,
            lastTime: last.time,
            ...(tornBytes > 0 ? { tornBytes } : {}),
          },
        ]);
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    return writer;
  }

  /** Records appended since the last checkpoint. */
  get sinceCheckpoint(): number {
    return this.#sinceCheckpoint;
  }

  /** Bytes in the active file. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Number of records in the log. */
  get size(): number {
    return this.#tree.size;
  }

  /** Numbers, chains and appends records in one write (not yet fsynced: a checkpoint does that). */
  async append(records: readonly (UnchainedRecord | PreparedDecision)[]): Promise<void> {
    if (records.length === 0) return;
    const lines: string[] = [];
    for (const record of records) {
      const i = this.#tree.size;
      const encoded =
        'eventJson' in record
          ? // Members in canonical order: event, i, kind, prev, time.
            hashRecordLine(
              `{"event":${record.eventJson},"i":${i},"kind":"decision",${this.#prevHash === undefined ? '' : `"prev":"${this.#prevHash}",`}"time":${JSON.stringify(record.time)}}`,
            )
          : encodeRecord({ ...record, i, ...(this.#prevHash === undefined ? {} : { prev: this.#prevHash }) });
      lines.push(encoded.line, '\n');
      this.#tree.append(encoded.leaf);
      this.#prevHash = encoded.hash;
    }
    const text = lines.join('');
    this.#sinceCheckpoint += records.length;
    this.#bytes += Buffer.byteLength(text);
    await this.#handle.write(text);
  }

  /**
   * Fsyncs the records, then signs a checkpoint over all of them and appends it as a record.
   * Nothing new since the last one: no checkpoint.
   */
  async checkpoint(): Promise<SignedCheckpoint | undefined> {
    if (this.#sinceCheckpoint === 0) return undefined;
    // Never sign over records that a power cut could still take back.
    await this.#handle.sync();
    const size = this.#tree.size;
    const root = this.#tree.root();
    const note = signNote(formatCheckpoint({ origin: this.#options.origin, size, root }), this.#options.signers);
    await this.append([{ kind: 'checkpoint', time: new Date().toISOString(), size, note }]);
    this.#sinceCheckpoint = 0;
    return { origin: this.#options.origin, size, root: root.toString('base64'), note };
  }

  /**
   * Closes the active file with a checkpoint, renames it `<file>.<index of its first record>`,
   * and starts a new active file whose start record continues the chain and the tree.
   */
  async rotate(): Promise<SignedCheckpoint | undefined> {
    const checkpoint = await this.checkpoint();
    await this.#handle.sync();
    await this.#handle.close();
    const rotated = rotatedFileName(this.#options.file, this.#fileStart);
    await rename(this.#options.file, rotated);
    await syncDirectory(dirname(this.#options.file));
    this.#handle = await open(this.#options.file, 'wx', 0o640);
    this.#fileStart = this.#tree.size;
    this.#bytes = 0;
    await this.#writeStart('rotated');
    return checkpoint;
  }

  /** A stop record and a last checkpoint over it: the next start sees the log was closed. */
  async close(): Promise<SignedCheckpoint | undefined> {
    try {
      await this.append([{ kind: 'stop', time: new Date().toISOString() }]);
      const checkpoint = await this.checkpoint();
      await this.#handle.sync();
      return checkpoint;
    } finally {
      await this.#handle.close();
      this.#release();
    }
  }

  /** Releases the file and the lock without writing (after a write failed). */
  async abandon(): Promise<void> {
    try {
      await this.#handle.close();
    } finally {
      this.#release();
    }
  }

  async #writeStart(opened: 'new' | 'rotated' | 'resumed'): Promise<void> {
    const start: Omit<Extract<LogRecord, { kind: 'start' }>, 'i' | 'prev'> = {
      kind: 'start',
      v: RECORD_FORMAT_VERSION,
      log: this.#options.origin,
      opened,
      time: new Date().toISOString(),
      writer: { pid: process.pid, host: hostname() },
      // A file that continues the log carries the tree edge, so that it can be checked alone.
      ...(opened !== 'resumed' && this.#tree.size > 0
        ? { frontier: this.#tree.hashes.map((hash) => hash.toString('base64')) }
        : {}),
    };
    await this.append([start]);
  }
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
