import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { HeaderValue } from '../base/fields/workload-request.js';
import { isBearerScheme } from '../request/presented-credentials.js';

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The bearer token of a request, or undefined when there is no `Authorization: Bearer` field.
 * Any other scheme (`WPT`, `Basic`) is not a bearer token and is left to whoever owns it. Several
 * `Authorization` field lines, or a Bearer credential that is not one b64token, are refused: a
 * request is authenticated by one credential, read one way (RFC 6750 §2.1, `invalid_request`).
 */
export function readBearerToken(headers: Readonly<Record<string, HeaderValue>>): string | undefined {
  const lines = fieldLines(headers, 'authorization');
  const bearer = lines.filter((line) => isBearerScheme(line));
  if (bearer.length === 0) return undefined;
  if (lines.length > 1) throw new WimseError('bearer_malformed', 'more than one Authorization field line');
  const line = (bearer[0] as string).trim();
  const token = line.slice('bearer'.length).replace(/^ +/, '');
  if (line.length === 'bearer'.length || !B64TOKEN.test(token)) {
    throw new WimseError('bearer_malformed', 'the Bearer credential is not one b64token');
  }
  return token;
}
