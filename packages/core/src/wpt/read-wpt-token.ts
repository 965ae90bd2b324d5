import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { WptProfile } from '../profiles/wpt-profiles.js';

/** `JWT = base64url "." base64url "." base64url`: a JWS compact serialization, a valid token68. */
const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** `credentials = "WPT" 1*SP token68`; the scheme name is case-insensitive (RFC 9110 §11.1). */
const WPT_CREDENTIALS = /^WPT +(\S+)$/i;
/** A WPT credential anywhere in a field line, including one a proxy joined with another. */
const WPT_SCHEME_ANYWHERE = /(?:^|,)[ \t]*WPT(?: |$)/i;

const WPT_HEADER = 'workload-proof-token';

/**
 * The one WPT of the request, from the profile's carrier. -02: exactly one `Authorization` field,
 * using the `WPT` scheme; any other scheme beside it (a bearer token) is a conflict, never a second
 * credential to consider. -00/-01: exactly one `Workload-Proof-Token` field.
 */
export function readWptToken(headers: WorkloadRequest['headers'], profile: WptProfile, maxBytes: number): string {
  const authorization = fieldLines(headers, 'authorization');
  const legacy = fieldLines(headers, WPT_HEADER);
  let value: string;
  if (profile.carrier === 'authorization') {
    if (legacy.length > 0) {
      throw new WimseError(
        'wpt_malformed',
        `Workload-Proof-Token is the pre-02 WPT header; the ${profile.name} profile reads Authorization: WPT`,
      );
    }
    const credentials = authorization.flatMap((line) => line.split(','));
    if (credentials.some((credential) => !/^[ \t]*WPT(?: |$)/i.test(credential))) {
      throw new WimseError('wpt_conflict', 'a request with a WPT presents another Authorization scheme');
    }
    if (credentials.length !== 1) throw new WimseError('wpt_malformed', 'more than one Authorization field');
    const match = WPT_CREDENTIALS.exec(authorization[0] as string);
    if (!match) throw new WimseError('wpt_malformed', 'Authorization: WPT carries no token');
    value = match[1] as string;
  } else {
    if (authorization.some((line) => WPT_SCHEME_ANYWHERE.test(line))) {
      throw new WimseError('wpt_malformed', `the ${profile.name} profile reads the WPT from Workload-Proof-Token`);
    }
    if (legacy.length !== 1) throw new WimseError('wpt_malformed', 'not exactly one Workload-Proof-Token field');
    value = legacy[0] as string;
  }
  // The length first, so an oversized value is never scanned by the pattern.
  if (value.length > maxBytes) throw new WimseError('wpt_malformed', `the WPT exceeds ${maxBytes} bytes`);
  if (!COMPACT_JWT.test(value)) throw new WimseError('wpt_malformed', 'the WPT is not exactly one compact JWT');
  return value;
}
