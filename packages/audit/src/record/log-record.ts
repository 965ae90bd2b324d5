/** Version of the record format, in every start record. */
export const RECORD_FORMAT_VERSION = 1;

interface RecordBase {
  /** Position in the log: the Merkle leaf index, counted from the log's first record across files. */
  readonly i: number;
  /** SHA-256 (hex) of the previous record's canonical bytes; absent on record 0 only. */
  readonly prev?: string;
  /** When the writer wrote it (ISO 8601); a decision's own time is in its event. */
  readonly time: string;
}

/** First record of each file and of each writer process: names the log and the writer. */
export interface StartRecord extends RecordBase {
  readonly kind: 'start';
  readonly v: number;
  /** The log's origin, the first line of its checkpoints. */
  readonly log: string;
  /** `new` log, `rotated` into a new file, or `resumed` by a new process in the same file. */
  readonly opened: 'new' | 'rotated' | 'resumed';
  readonly writer: { readonly pid: number; readonly host: string };
  /** At the start of a file after the first: the tree edge (base64) the file continues from. */
  readonly frontier?: readonly string[];
}

/** One decision of the guard. */
export interface DecisionRecord extends RecordBase {
  readonly kind: 'decision';
  readonly event: Readonly<Record<string, unknown>>;
}

/** Decisions that are not in the log, said in the log: never a silent loss. */
export interface GapRecord extends RecordBase {
  readonly kind: 'gap';
  /**
   * `overflow`: the queue was full (`dropped` events not recorded; `refused` allow decisions
   * answered 503 instead). `crash`: the previous writer ended without closing the log; decisions
   * after `lastTime` may be missing.
   */
  readonly cause: 'overflow' | 'crash';
  readonly dropped?: number;
  readonly refused?: number;
  readonly from?: string;
  readonly to?: string;
  readonly after?: number;
  readonly lastTime?: string;
  /** Bytes of an incomplete last line the crash left, cut off before writing on. */
  readonly tornBytes?: number;
}

/** A signed checkpoint over every record before it (`size` = this record's index). */
export interface CheckpointRecord extends RecordBase {
  readonly kind: 'checkpoint';
  readonly size: number;
  /** The C2SP signed note, as it was handed to `onCheckpoint`. */
  readonly note: string;
}

/** The writer closed the log cleanly (a checkpoint follows). */
export interface StopRecord extends RecordBase {
  readonly kind: 'stop';
}

export type LogRecord = StartRecord | DecisionRecord | GapRecord | CheckpointRecord | StopRecord;
export type LogRecordKind = LogRecord['kind'];

/** A record before the writer numbers and chains it. */
export type UnchainedRecord = LogRecord extends infer R ? (R extends LogRecord ? Omit<R, 'i' | 'prev'> : never) : never;

/**
 * A decision whose event the request thread already put in canonical JSON (`eventFieldsJson`):
 * the writer only numbers and chains it.
 */
export interface PreparedDecision {
  readonly kind: 'decision';
  readonly time: string;
  readonly eventJson: string;
}
