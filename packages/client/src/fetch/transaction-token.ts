/** The header fields of a received request, as Node, the Fetch API or a framework holds them. */
export type ReceivedHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** One compact JWS: three base64url segments (what a Txn-Token is, draft-ietf-oauth-transaction-tokens). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The `Txn-Token` of a request this service received, as header fields to spread into the calls it
 * makes for that request, which must forward it unchanged (the draft's rule):
 * `wimseFetch(url, { headers: { ...forwardTransactionToken(req.headers) } })`. Empty when the
 * request carries none; a TypeError when it carries several or something that is not one token
 * (forwarding would pick one at random).
 */
export function forwardTransactionToken(headers: ReceivedHeaders): { 'txn-token'?: string } {
  const lines = headers instanceof Headers ? fetchHeaderLines(headers) : recordLines(headers);
  if (lines.length === 0) return {};
  if (lines.length > 1) throw new TypeError('the request carries more than one Txn-Token field');
  return { 'txn-token': checkTransactionToken(lines[0] as string, 'the received Txn-Token') };
}

/** A Txn-Token value about to be sent: one compact JWT, returned as given (OWS trimmed). */
export function checkTransactionToken(value: unknown, what: string): string {
  const token = typeof value === 'string' ? value.trim() : undefined;
  if (token === undefined || !COMPACT_JWS.test(token)) {
    throw new TypeError(`${what} must be one compact JWT (a Transaction Token)`);
  }
  return token;
}

function fetchHeaderLines(headers: Headers): string[] {
  // The Fetch API joins repeated fields with ", "; a JWT never holds a comma.
  const value = headers.get('txn-token');
  return value === null ? [] : value.split(',');
}

function recordLines(headers: Readonly<Record<string, string | readonly string[] | undefined>>): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'txn-token' || value === undefined) continue;
    for (const line of typeof value === 'string' ? [value] : value) lines.push(...line.split(','));
  }
  return lines;
}
