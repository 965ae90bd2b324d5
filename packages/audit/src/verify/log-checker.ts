import { canonicalJson } from '../canonical/canonical-json.js';
import { type CheckpointBody, parseCheckpoint } from '../checkpoint/checkpoint-text.js';
import { AuditError, type AuditErrorCode, type LogPosition } from '../errors/audit-error.js';
import { CompactRange } from '../merkle/compact-range.js';
import type { NoteVerifier } from '../note/note-keys.js';
import { openNote } from '../note/open-note.js';
import { type EncodedRecord, hashRecordLine } from '../record/encode-record.js';
import type { LogRecord, LogRecordKind } from '../record/log-record.js';

const KINDS: readonly LogRecordKind[] = ['start', 'decision', 'gap', 'checkpoint', 'stop'];

export interface LogCheckerOptions {
  /**
   * The keys every checkpoint in the log must be signed by (one of them). Without keys the
   * signatures are not checked (inclusion proofs only need the roots): never for verification.
   */
  readonly verifiers?: readonly NoteVerifier[] | undefined;
  /** Checkpoints kept elsewhere (their signatures already checked): the log must contain their trees. */
  readonly keptElsewhere?: readonly CheckpointBody[] | undefined;
}

/** A checkpoint found in the log, and where. */
export interface CheckpointInLog extends CheckpointBody {
  /** Index of the checkpoint record (its tree covers the records before it). */
  readonly record: number;
  readonly note: string;
}

/** One record as checked: what the line holds and its hashes. */
export interface CheckedRecord {
  readonly record: LogRecord;
  readonly encoded: EncodedRecord;
}

/**
 * Checks a log's lines one by one, in order, across its files: each line is a record in canonical
 * form, numbered one after the other, chained to the one before by its hash; each file after the
 * first continues the tree of the one before; each checkpoint record is signed by a key given,
 * names this log, and its root is the root of every record before it. The first problem is thrown
 * as an AuditError naming the record, the file and the line.
 */
export class LogChecker {
  readonly #verifiers: readonly NoteVerifier[] | undefined;
  readonly #keptElsewhere: readonly CheckpointBody[];
  #tree = new CompactRange();
  #prevHash: string | undefined;
  #origin: string | undefined;
  #first: number | undefined;
  #file: string | undefined;
  #atFileStart = false;
  #filesRead = 0;
  #last: LogRecord | undefined;
  #beforeLast: LogRecord | undefined;
  readonly #checkpoints: CheckpointInLog[] = [];
  readonly #matchedElsewhere = new Set<CheckpointBody>();

  constructor(options: LogCheckerOptions = {}) {
    this.#verifiers = options.verifiers;
    this.#keptElsewhere = options.keptElsewhere ?? [];
  }

  /** The next lines are a new file's, which begins with a start record. */
  beginFile(file: string): void {
    this.#file = file;
    this.#atFileStart = true;
    this.#filesRead += 1;
  }

  /** Checks one complete line; returns the record and its hashes. */
  line(text: string, lineNumber: number): CheckedRecord {
    const where = { file: this.#file, line: lineNumber };
    const record = this.#parse(text, where);
    const position = { ...where, record: record.i };
    if (this.#atFileStart) this.#checkFileStart(record, position);
    else this.#checkSequence(record, position);
    if (record.kind === 'start') this.#checkStart(record, position);
    this.#checkKeptElsewhere();
    if (record.kind === 'checkpoint') this.#checkCheckpoint(record, position);
    const encoded = hashRecordLine(text);
    this.#tree.append(encoded.leaf);
    this.#prevHash = encoded.hash;
    this.#beforeLast = this.#last;
    this.#last = record;
    return { record, encoded };
  }

  /** After the last line: the checkpoints kept elsewhere must all have been reached. */
  finish(): void {
    this.#checkKeptElsewhere();
    for (const kept of this.#keptElsewhere) {
      if (this.#matchedElsewhere.has(kept)) continue;
      const size = this.#tree.size;
      if (kept.size < (this.#first ?? 0)) {
        throw this.#error(
          'file_discontinuous',
          `the checkpoint kept elsewhere covers ${kept.size} records, and the first file read starts at record ${this.#first}: give the earlier files too`,
          { file: this.#file },
        );
      }
      if (kept.size > size) {
        throw this.#error(
          'log_truncated',
          `the log holds records 0 to ${size - 1}, and a checkpoint kept elsewhere covers ${kept.size} records: records ${size} to ${kept.size - 1} were removed`,
          { record: size, file: this.#file },
        );
      }
    }
    if (this.#checkpoints.length === 0 && this.#matchedElsewhere.size === 0 && this.#tree.size > 0) {
      throw this.#error('no_checkpoint', 'no checkpoint: nothing in the log is signed', { file: this.#file });
    }
  }

  /** Where the files read stand. */
  get state() {
    return {
      origin: this.#origin,
      /** Index of the first record read (0 unless the first file read continues an earlier one). */
      firstRecord: this.#first ?? 0,
      /** Index the next record will have (= the number of records in the log so far). */
      nextRecord: this.#tree.size,
      prevHash: this.#prevHash,
      tree: this.#tree.clone(),
      files: this.#filesRead,
      last: this.#last,
      beforeLast: this.#beforeLast,
      checkpoints: [...this.#checkpoints] as readonly CheckpointInLog[],
      keptElsewhereMatched: this.#matchedElsewhere.size,
    };
  }

  #parse(text: string, where: LogPosition): LogRecord {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw this.#error('record_malformed', `${at(where)} is not JSON`, where);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.#error('record_malformed', `${at(where)} is not a record`, where);
    }
    const record = value as Record<string, unknown>;
    if (canonicalJson(record) !== text) {
      throw this.#error('record_malformed', `${at(where)} is not in canonical form: it was rewritten`, where);
    }
    const i = record.i;
    if (!Number.isSafeInteger(i) || (i as number) < 0)
      throw this.#error('record_malformed', `${at(where)} has no index`, where);
    const position = { ...where, record: i as number };
    if (!KINDS.includes(record.kind as LogRecordKind) || typeof record.time !== 'string') {
      throw this.#error('record_malformed', `record ${i} (${at(where)}) has no known kind or no time`, position);
    }
    if (i !== 0 && (typeof record.prev !== 'string' || !/^[0-9a-f]{64}$/.test(record.prev))) {
      throw this.#error('record_malformed', `record ${i} (${at(where)}) has no prev hash`, position);
    }
    return record as unknown as LogRecord;
  }

  #checkFileStart(record: LogRecord, position: LogPosition): void {
    this.#atFileStart = false;
    if (record.kind !== 'start') {
      throw this.#error(
        'file_discontinuous',
        `${at(position)} holds record ${record.i}, not a start record: the beginning of the file was removed`,
        position,
      );
    }
    const frontier = record.frontier;
    if (this.#first === undefined) {
      // The first file read: a log's first file, or a later one (its tree edge is taken as it
      // claims; the signed roots after it prove it, the earlier files would prove it again).
      this.#first = record.i;
      if (record.i === 0) return;
      if (!Array.isArray(frontier) || typeof record.prev !== 'string') {
        throw this.#error(
          'record_malformed',
          `record ${record.i} starts a file without the tree edge it continues`,
          position,
        );
      }
      try {
        this.#tree = new CompactRange(
          record.i,
          frontier.map((hash) => Buffer.from(String(hash), 'base64')),
        );
      } catch (error) {
        throw this.#error('record_malformed', `record ${record.i}: ${(error as Error).message}`, position);
      }
      this.#prevHash = record.prev;
      return;
    }
    const expected = this.#tree.size;
    if (record.i !== expected || record.prev !== this.#prevHash) {
      throw this.#error(
        'file_discontinuous',
        `${this.#file} does not continue the file before it: it starts at record ${record.i} (prev ${String(record.prev).slice(0, 12)}…), the log is at record ${expected} (prev ${String(this.#prevHash).slice(0, 12)}…)`,
        position,
      );
    }
    const edge = this.#tree.hashes.map((hash) => hash.toString('base64'));
    if (!Array.isArray(frontier) || frontier.length !== edge.length || frontier.some((hash, i) => hash !== edge[i])) {
      throw this.#error(
        'file_discontinuous',
        `record ${record.i}: the tree edge it continues from is not the log's`,
        position,
      );
    }
  }

  #checkSequence(record: LogRecord, position: LogPosition): void {
    const expected = this.#tree.size;
    if (record.i > expected) {
      throw this.#error(
        'record_out_of_order',
        `record ${expected} is missing: ${at(position)} holds record ${record.i} (records removed, or out of order)`,
        { ...position, record: expected },
      );
    }
    if (record.i < expected) {
      throw this.#error(
        'record_out_of_order',
        `${at(position)} holds record ${record.i} where record ${expected} belongs (records repeated, or out of order)`,
        { ...position, record: expected },
      );
    }
    if (record.prev !== this.#prevHash) {
      throw this.#error(
        'chain_broken',
        `record ${record.i - 1} does not hash to the prev of record ${record.i} (${at(position)}): one of them was altered`,
        { ...position, record: record.i - 1 },
      );
    }
  }

  #checkStart(record: Extract<LogRecord, { kind: 'start' }>, position: LogPosition): void {
    if (typeof record.log !== 'string' || record.log === '') {
      throw this.#error('record_malformed', `start record ${record.i} names no log`, position);
    }
    if (this.#origin === undefined) {
      this.#origin = record.log;
      const foreign = this.#keptElsewhere.find((kept) => kept.origin !== record.log);
      if (foreign) {
        throw this.#error(
          'origin_mismatch',
          `the checkpoint kept elsewhere is of log ${foreign.origin}, not ${record.log}: another writer's checkpoint`,
          position,
        );
      }
    } else if (record.log !== this.#origin) {
      throw this.#error(
        'origin_mismatch',
        `start record ${record.i} is of log ${record.log}, in log ${this.#origin}: another writer's records`,
        position,
      );
    }
  }

  #checkCheckpoint(record: Extract<LogRecord, { kind: 'checkpoint' }>, position: LogPosition): void {
    if (typeof record.note !== 'string' || record.size !== record.i) {
      throw this.#error(
        'record_malformed',
        `checkpoint record ${record.i} does not cover the records before it`,
        position,
      );
    }
    let text = record.note.slice(0, record.note.lastIndexOf('\n\n') + 1);
    if (this.#verifiers) {
      try {
        text = openNote(record.note, this.#verifiers).text;
      } catch (error) {
        throw this.#error(
          'checkpoint_signature',
          `checkpoint record ${record.i}: ${(error as Error).message}`,
          position,
          error,
        );
      }
    }
    let body: CheckpointBody;
    try {
      body = parseCheckpoint(text);
    } catch (error) {
      throw this.#error('checkpoint_malformed', `checkpoint record ${record.i}: ${(error as Error).message}`, position);
    }
    if (body.origin !== this.#origin) {
      throw this.#error(
        'origin_mismatch',
        `checkpoint record ${record.i} is signed for log ${body.origin}, not ${this.#origin}: another writer's checkpoint`,
        position,
      );
    }
    if (body.size !== record.i) {
      throw this.#error(
        'checkpoint_root',
        `checkpoint record ${record.i} covers ${body.size} records, not ${record.i}`,
        position,
      );
    }
    if (!body.root.equals(this.#tree.root())) {
      throw this.#error(
        'checkpoint_root',
        `checkpoint record ${record.i}: records 0 to ${record.i - 1} are not the records it signed (one was altered, removed or added)`,
        position,
      );
    }
    this.#checkpoints.push({ ...body, record: record.i, note: record.note });
  }

  /** A checkpoint kept elsewhere is checked when the tree reaches its size. */
  #checkKeptElsewhere(): void {
    for (const kept of this.#keptElsewhere) {
      if (kept.size !== this.#tree.size || this.#matchedElsewhere.has(kept)) continue;
      if (!kept.root.equals(this.#tree.root())) {
        throw this.#error(
          'checkpoint_root',
          `records 0 to ${kept.size - 1} are not the records the checkpoint kept elsewhere signed (one was altered, removed or added)`,
          { file: this.#file, record: kept.size },
        );
      }
      this.#matchedElsewhere.add(kept);
    }
  }

  #error(code: AuditErrorCode, message: string, position: LogPosition, cause?: unknown): AuditError {
    return new AuditError(code, message, { position, cause });
  }
}

function at(position: LogPosition): string {
  return `line ${position.line} of ${position.file}`;
}
