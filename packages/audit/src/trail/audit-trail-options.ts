import { checkOrigin } from '../checkpoint/checkpoint-text.js';
import type { NoteSigner } from '../note/note-keys.js';
import { parseSignerKey } from '../note/parse-signer-key.js';
import type { SignedCheckpoint } from '../writer/log-writer.js';

export interface AuditTrailOptions {
  /** The active log file (created if missing; rotated files are kept beside it). */
  readonly file: string;
  /**
   * This log and its writer, unique among all logs: the first line of every checkpoint, e.g.
   * `orders.example.com/audit/replica-1`. One writer (process) per origin: each replica or
   * worker has its own.
   */
  readonly origin: string;
  /**
   * The checkpoint key(s): signer key texts (`PRIVATE+KEY+<name>+<id>+<key>`, from
   * `wimse-pep audit keygen`) or parsed keys. Two while rotating keys: every checkpoint carries
   * both signatures.
   */
  readonly signingKey: string | NoteSigner | readonly (string | NoteSigner)[];
  /** A checkpoint after this many records or this many milliseconds, whichever comes first. */
  readonly checkpoint?: { readonly records?: number; readonly intervalMs?: number };
  /**
   * Receives each checkpoint once it is signed and written, to ship it off the machine (to a
   * witness, another host, object storage): records after the last checkpoint that left the
   * machine can be cut without detection. Its errors (and rejections) go to `onError`.
   */
  readonly onCheckpoint?: (checkpoint: SignedCheckpoint) => void | Promise<void>;
  /**
   * When the queue is full: `refuse` (default) throws a 503 `unavailable` WimseError for an
   * allow decision, so the request is refused rather than served unaudited; `drop` lets it
   * through. Either way the events not recorded are counted and a gap record says so in the chain.
   */
  readonly overflow?: 'refuse' | 'drop';
  /** Events waiting to be written, at most (default 10000). */
  readonly maxQueue?: number;
  /** Rotate the active file once it holds this many bytes (default 64 MiB; 0: never). */
  readonly rotateBytes?: number;
  /** Write failures, checkpoint shipping failures, events after close (default: process.emitWarning). */
  readonly onError?: (error: Error) => void;
}

export interface AuditTrailSettings {
  readonly file: string;
  readonly origin: string;
  readonly signers: readonly NoteSigner[];
  readonly checkpointRecords: number;
  readonly checkpointIntervalMs: number;
  readonly onCheckpoint: ((checkpoint: SignedCheckpoint) => void | Promise<void>) | undefined;
  readonly overflow: 'refuse' | 'drop';
  readonly maxQueue: number;
  readonly rotateBytes: number;
  readonly onError: (error: Error) => void;
}

const WHAT = 'openAuditTrail';

/** Validates the options once, with messages that name the option. */
export function auditTrailSettings(options: AuditTrailOptions): AuditTrailSettings {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${WHAT}: options must be an object, got ${describe(options)}`);
  if (typeof options.file !== 'string' || options.file === '') {
    throw new TypeError(`${WHAT}: file must be a non-empty path, got ${describe(options.file)}`);
  }
  try {
    checkOrigin(options.origin);
  } catch {
    throw new TypeError(`${WHAT}: origin must be non-empty, without spaces or "+", got ${describe(options.origin)}`);
  }
  const keys = Array.isArray(options.signingKey) ? options.signingKey : [options.signingKey];
  if (keys.length === 0) throw new TypeError(`${WHAT}: signingKey must name at least one key, got none`);
  const signers = keys.map((key: unknown, n) => {
    if (typeof key === 'string') {
      try {
        return parseSignerKey(key);
      } catch (error) {
        // Never the key itself in a message: the reason only.
        throw new TypeError(
          `${WHAT}: signingKey${keys.length > 1 ? `[${n}]` : ''} must be a signer key, got one that is not (${(error as Error).message})`,
        );
      }
    }
    if (isSigner(key)) return key;
    throw new TypeError(`${WHAT}: signingKey must be a signer key text or a parsed key, got ${describe(key)}`);
  });
  const checkpoint = options.checkpoint ?? {};
  if (typeof checkpoint !== 'object' || checkpoint === null) {
    throw new TypeError(`${WHAT}: checkpoint must be an object, got ${describe(checkpoint)}`);
  }
  const overflow = options.overflow ?? 'refuse';
  if (overflow !== 'refuse' && overflow !== 'drop') {
    throw new TypeError(`${WHAT}: overflow must be 'refuse' or 'drop', got ${describe(overflow)}`);
  }
  if (options.onCheckpoint !== undefined && typeof options.onCheckpoint !== 'function') {
    throw new TypeError(`${WHAT}: onCheckpoint must be a function, got ${describe(options.onCheckpoint)}`);
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError(`${WHAT}: onError must be a function, got ${describe(options.onError)}`);
  }
  return {
    file: options.file,
    origin: options.origin,
    signers,
    checkpointRecords: integer(checkpoint.records, 'checkpoint.records', 1000, 1),
    checkpointIntervalMs: integer(checkpoint.intervalMs, 'checkpoint.intervalMs', 1000, 1),
    onCheckpoint: options.onCheckpoint,
    overflow,
    maxQueue: integer(options.maxQueue, 'maxQueue', 10_000, 1),
    rotateBytes: integer(options.rotateBytes, 'rotateBytes', 64 * 2 ** 20, 0),
    onError: options.onError ?? ((error) => process.emitWarning(error)),
  };
}

function integer(value: unknown, path: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`${WHAT}: ${path} must be an integer of at least ${min}, got ${describe(value)}`);
  }
  return value;
}

function isSigner(value: unknown): value is NoteSigner {
  const key = value as Partial<NoteSigner> | null;
  return (
    typeof key === 'object' &&
    key !== null &&
    typeof key.name === 'string' &&
    typeof key.keyId === 'number' &&
    typeof key.privateKey === 'object' &&
    Buffer.isBuffer(key.publicKey)
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}
