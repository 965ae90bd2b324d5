/**
 * Stable codes of what can be wrong with a key, a note, a checkpoint or a log. The code says
 * what failed; the message says where (a record number, a line of a file).
 */
export const auditErrorCodes = [
  /** A note signer or verifier key that is not in the signed-note text form, or does not match its hash. */
  'key_invalid',
  /** Not a signed note: no blank line before the signatures, a bad signature line, a control character. */
  'note_malformed',
  /** No signature on the note is by a key given, or one by a key given does not verify. */
  'note_unverified',
  /** A note text that is not a tlog-checkpoint (origin, tree size, base64 root hash). */
  'checkpoint_malformed',
  /** A line of a log file that is not a record: not JSON, not canonical, an unknown kind or field. */
  'record_malformed',
  /** A record out of place: a missing index, a repeated one, records out of order. */
  'record_out_of_order',
  /** A record whose `prev` is not the hash of the record before it: one of the two was altered. */
  'chain_broken',
  /** A log file that does not start where the previous one ended (index, hash or tree edge). */
  'file_discontinuous',
  /** A checkpoint in the log whose signature does not verify with the keys given. */
  'checkpoint_signature',
  /** A checkpoint signed for another log, or a start record naming another log: another writer's. */
  'origin_mismatch',
  /** A checkpoint whose root is not the root of the records before it. */
  'checkpoint_root',
  /** The log holds fewer records than a checkpoint kept elsewhere covers: it was cut. */
  'log_truncated',
  /** Nothing in the log is signed: no checkpoint at all. */
  'no_checkpoint',
  /** A log file that cannot be read. */
  'file_unreadable',
] as const;

export type AuditErrorCode = (typeof auditErrorCodes)[number];

/** Where in a log a problem is: the record's index in the log, the file and line that hold it. */
export interface LogPosition {
  readonly record?: number | undefined;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
}

export class AuditError extends Error {
  override readonly name = 'AuditError';
  readonly code: AuditErrorCode;
  readonly position: LogPosition;

  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown; position?: LogPosition }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.position = options?.position ?? {};
  }
}
