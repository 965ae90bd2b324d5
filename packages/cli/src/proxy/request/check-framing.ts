import type { IncomingMessage } from 'node:http';

/**
 * Requests that HTTP parsers may frame differently (request smuggling) are refused, never
 * forwarded: Node's parser already rejects most (`Content-Length` beside `Transfer-Encoding`,
 * obsolete line folding, invalid lengths); this is the same rule stated once more where it
 * matters, on the field lines as received, so that no parser option could let one through.
 */
export function checkFraming(req: IncomingMessage): string | undefined {
  let lengths = 0;
  let encodings = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (name === 'content-length') {
      lengths++;
      if (!/^\d+$/.test(value)) return 'a Content-Length that is not one decimal number';
    } else if (name === 'transfer-encoding') {
      encodings++;
      if (value.trim().toLowerCase() !== 'chunked') return 'a Transfer-Encoding other than chunked';
    }
    if (/[\r\n]/.test(value)) return 'a field value with a line break';
  }
  if (lengths > 1) return 'more than one Content-Length';
  if (encodings > 1) return 'more than one Transfer-Encoding';
  if (lengths > 0 && encodings > 0) return 'both Content-Length and Transfer-Encoding';
  return undefined;
}
