import { hash } from 'node:crypto';
import { canonicalRecordJson } from '../canonical/canonical-record-json.js';

export interface EncodedRecord {
  /** The canonical JSON (RFC 8785) of the record: the line written, without its newline. */
  readonly line: string;
  /** SHA-256 (hex) of the line's UTF-8 bytes: the next record's `prev`. */
  readonly hash: string;
  /** RFC 6962 leaf hash of the same bytes: SHA-256(0x00 || bytes). */
  readonly leaf: Buffer;
}

/** A record's line (RFC 8785 canonical JSON) and its hashes. */
export function encodeRecord(record: object): EncodedRecord {
  return hashRecordLine(canonicalRecordJson(record));
}

/** The hashes of a line that is already canonical (one buffer: the leaf prefix, then the bytes). */
export function hashRecordLine(line: string): EncodedRecord {
  const prefixed = Buffer.allocUnsafe(Buffer.byteLength(line) + 1);
  prefixed[0] = 0x00;
  prefixed.write(line, 1, 'utf8');
  return {
    line,
    hash: hash('sha256', prefixed.subarray(1), 'hex'),
    leaf: hash('sha256', prefixed, 'buffer'),
  };
}
