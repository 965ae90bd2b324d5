import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';

/** `JWT = base64url "." base64url "." base64url` (workload-creds ABNF): no padding, no spaces. */
const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const WIT_HEADER = 'workload-identity-token';

/**
 * Step 1 without the token's shape: exactly one field line, within `maxBytes`. The verifier checks
 * the shape (`assertCompactJwt`) only for a token it has not verified before: a token in its cache
 * of verified WITs is the very string that passed.
 */
export function readWitField(headers: WorkloadRequest['headers'], maxBytes: number): string {
  const lines = fieldLines(headers, WIT_HEADER);
  if (lines.length === 0) throw new WimseError('wit_missing', 'no Workload-Identity-Token header');
  if (lines.length > 1) throw new WimseError('wit_malformed', 'more than one Workload-Identity-Token field line');
  const value = lines[0] as string;
  // Checked on the string length first so an oversized value is never scanned by the pattern.
  if (value.length > maxBytes)
    throw new WimseError('wit_malformed', `Workload-Identity-Token exceeds ${maxBytes} bytes`);
  return value;
}

export function assertCompactJwt(value: string): void {
  if (!COMPACT_JWT.test(value)) {
    throw new WimseError('wit_malformed', 'Workload-Identity-Token is not exactly one compact JWT');
  }
}
