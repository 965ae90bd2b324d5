/** What a problem `code` looks like: a short snake_case identifier, nothing that can break a log line. */
const PROBLEM_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * The `code` of an RFC 9457 problem body an unverified error response carried, when it looks like
 * one; otherwise undefined. The text is the server's, so anything else (CR/LF, a long sentence, a
 * token) never reaches the caller's error messages and logs.
 */
export function serverProblemCode(status: number, contentType: string | null, body: Uint8Array): string | undefined {
  if (status < 400 || !(contentType ?? '').toLowerCase().includes('json')) return undefined;
  let problem: unknown;
  try {
    problem = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  const code = (problem as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PROBLEM_CODE.test(code) ? code : undefined;
}
