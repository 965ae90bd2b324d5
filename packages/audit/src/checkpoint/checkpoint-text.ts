import { AuditError } from '../errors/audit-error.js';

/** A log's Merkle tree head as C2SP tlog-checkpoint puts it in a note text. */
export interface CheckpointBody {
  /** The log (and writer) that issued it, e.g. `orders.example.com/audit/replica-1`. */
  readonly origin: string;
  /** The number of records (leaves) it covers. */
  readonly size: number;
  /** The RFC 6962 root hash of those records (32 bytes). */
  readonly root: Buffer;
}

/** `<origin>\n<size>\n<base64 root>\n`: the note text of a checkpoint (no extension lines). */
export function formatCheckpoint(body: CheckpointBody): string {
  checkOrigin(body.origin);
  if (!Number.isSafeInteger(body.size) || body.size < 0) throw new RangeError(`checkpoint size ${body.size}`);
  if (body.root.length !== 32) throw new RangeError('a checkpoint root is 32 bytes');
  return `${body.origin}\n${body.size}\n${body.root.toString('base64')}\n`;
}

/** Reads a checkpoint note text; extension lines are allowed (and ignored) but must be non-empty. */
export function parseCheckpoint(text: string): CheckpointBody {
  if (!text.endsWith('\n')) throw new AuditError('checkpoint_malformed', 'a checkpoint text ends with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (origin === undefined || size === undefined || root === undefined) {
    throw new AuditError('checkpoint_malformed', 'a checkpoint has an origin, a tree size and a root hash line');
  }
  if (origin === '') throw new AuditError('checkpoint_malformed', 'the checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new AuditError(
      'checkpoint_malformed',
      `the checkpoint tree size is not a decimal number: ${JSON.stringify(size)}`,
    );
  }
  const hash = Buffer.from(root, 'base64');
  if (hash.length !== 32 || hash.toString('base64') !== root) {
    throw new AuditError('checkpoint_malformed', 'the checkpoint root is not the base64 of 32 bytes');
  }
  if (extensions.some((line) => line === '')) throw new AuditError('checkpoint_malformed', 'an empty extension line');
  return { origin, size: Number(size), root: hash };
}

/** An origin that is also usable as a note key name (C2SP recommends the key be named after it). */
export function checkOrigin(origin: string): void {
  if (typeof origin !== 'string' || origin.length === 0 || /[\s+]/u.test(origin) || /[\u0000-\u001f]/.test(origin)) {
    throw new RangeError(`an origin is non-empty, without spaces or "+", got ${JSON.stringify(origin)}`);
  }
}
