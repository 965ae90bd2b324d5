import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';

/** Three base64url segments: a JWS in compact serialization (a JWE has five, and is refused). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The request's one `Txn-Token` (a single field holding exactly one JWT), or undefined when it has
 * none. Two field lines, or two tokens joined by a proxy (a JWT never holds a comma), are refused:
 * which one the caller's proof binds would be ambiguous.
 */
export function readTxnToken(headers: WorkloadRequest['headers'], maxBytes: number): string | undefined {
  const lines = fieldLines(headers, 'txn-token');
  if (lines.length === 0) return undefined;
  if (lines.length > 1)
    throw new WimseError('txn_token_duplicated', 'the request carries more than one Txn-Token field');
  const value = (lines[0] as string).trim();
  if (value.includes(','))
    throw new WimseError('txn_token_duplicated', 'the Txn-Token field holds more than one token');
  if (value.length > maxBytes) throw new WimseError('txn_token_malformed', `the Txn-Token exceeds ${maxBytes} bytes`);
  if (!COMPACT_JWS.test(value)) throw new WimseError('txn_token_malformed', 'the Txn-Token is not one compact JWT');
  return value;
}
