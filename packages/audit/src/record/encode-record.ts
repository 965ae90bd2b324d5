import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical/canonical-json.js';
import { leafHash } from '../merkle/tree-hash.js';

export interface EncodedRecord {
  /** The canonical JSON (RFC 8785) of the record: the line written, without its newline. */
  readonly line: string;
  /** SHA-256 (hex) of the line's UTF-8 bytes: the next record's `prev`. */
  readonly hash: string;
  /** RFC 6962 leaf hash of the same bytes. */
  readonly leaf: Buffer;
}

export function encodeRecord(record: object): EncodedRecord {
  const line = canonicalJson(record);
  return hashRecordLine(line);
}

/** The hashes of a line that is already canonical. */
export function hashRecordLine(line: string): EncodedRecord {
  const bytes = Buffer.from(line, 'utf8');
  return { line, hash: createHash('sha256').update(bytes).digest('hex'), leaf: leafHash(bytes) };
}
