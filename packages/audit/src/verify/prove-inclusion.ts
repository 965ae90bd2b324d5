import { type CheckpointBody, parseCheckpoint } from '../checkpoint/checkpoint-text.js';
import { AuditError } from '../errors/audit-error.js';
import { CompactRange } from '../merkle/compact-range.js';
import { inclusionProof } from '../merkle/inclusion-proof.js';
import { TreeView } from '../merkle/tree-view.js';
import type { NoteVerifier } from '../note/note-keys.js';
import { openNote } from '../note/open-note.js';
import { parseVerifierKey } from '../note/parse-verifier-key.js';
import { LogChecker } from './log-checker.js';
import { checkFiles } from './verify-audit-log.js';

export interface ProveInclusionOptions {
  /** The log's files, oldest first; they must reach from the record to the checkpoint. */
  readonly files: readonly string[];
  /** Index of the record to prove. */
  readonly record: number;
  /** A signed checkpoint (kept elsewhere) to prove against; default: the last checkpoint in the files that covers the record. */
  readonly checkpoint?: string | undefined;
  /** Keys to check the checkpoints' signatures with; without, only their roots are checked. */
  readonly keys?: readonly (string | NoteVerifier)[] | undefined;
}

/** An RFC 6962 inclusion proof of one record, with what it is checked against. */
export interface InclusionProof {
  readonly origin: string;
  readonly record: number;
  /** The record's line: its canonical JSON, the leaf data. */
  readonly leaf: string;
  /** SHA-256(0x00 || leaf), base64. */
  readonly leafHash: string;
  readonly treeSize: number;
  /** The audit path, base64, from the leaf up (RFC 6962 PATH). */
  readonly proof: readonly string[];
  /** The root the path leads to (base64): the checkpoint's. */
  readonly root: string;
  /** The signed checkpoint proven against. */
  readonly checkpoint: string;
}

/** Reads the files (checking the chain as `audit verify` does) and proves one record in a checkpoint's tree. */
export async function proveInclusion(options: ProveInclusionOptions): Promise<InclusionProof> {
  const verifiers = options.keys?.map((key) => (typeof key === 'string' ? parseVerifierKey(key) : key));
  const checker = new LogChecker({ verifiers });
  let start: CompactRange | undefined;
  const leaves: Buffer[] = [];
  let leaf: string | undefined;
  await checkFiles(checker, options.files, [], ({ record, encoded }) => {
    if (start === undefined) {
      start =
        record.kind === 'start' && record.frontier
          ? new CompactRange(
              record.i,
              record.frontier.map((hash) => Buffer.from(hash, 'base64')),
            )
          : new CompactRange();
    }
    leaves.push(encoded.leaf);
    if (record.i === options.record) leaf = encoded.line;
  });
  const state = checker.state;
  if (leaf === undefined || start === undefined || state.origin === undefined) {
    throw new AuditError(
      'log_truncated',
      `record ${options.record} is not in the files read (records ${state.firstRecord} to ${state.nextRecord - 1})`,
      { position: { record: options.record } },
    );
  }
  let body: CheckpointBody;
  let note: string;
  if (options.checkpoint !== undefined) {
    note = options.checkpoint;
    const text = verifiers ? openNote(note, verifiers).text : note.slice(0, note.lastIndexOf('\n\n') + 1);
    body = parseCheckpoint(text);
    if (body.origin !== state.origin) {
      throw new AuditError('origin_mismatch', `the checkpoint is of log ${body.origin}, not ${state.origin}`);
    }
  } else {
    const covering = state.checkpoints.filter((checkpoint) => checkpoint.size > options.record).at(-1);
    if (!covering) {
      throw new AuditError('no_checkpoint', `no checkpoint in the files covers record ${options.record} yet`, {
        position: { record: options.record },
      });
    }
    body = covering;
    note = covering.note;
  }
  if (body.size <= options.record) {
    throw new AuditError(
      'checkpoint_root',
      `the checkpoint covers ${body.size} records: record ${options.record} is not in it`,
    );
  }
  const tree = new TreeView(start, leaves);
  if (body.size > tree.size) {
    throw new AuditError('log_truncated', `the checkpoint covers ${body.size} records, the files hold ${tree.size}`);
  }
  if (!tree.root(body.size).equals(body.root)) {
    throw new AuditError('checkpoint_root', `records 0 to ${body.size - 1} are not the records the checkpoint signed`);
  }
  return {
    origin: body.origin,
    record: options.record,
    leaf,
    leafHash: (leaves[options.record - start.size] as Buffer).toString('base64'),
    treeSize: body.size,
    proof: inclusionProof(tree, options.record, body.size).map((hash) => hash.toString('base64')),
    root: body.root.toString('base64'),
    checkpoint: note,
  };
}
