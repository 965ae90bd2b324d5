import { WimseError } from '../errors/wimse-error.js';
import { base64urlDecode, base64urlEncode, utf8Text } from '../runtime/bytes.js';

/**
 * Refuses a WIT that has more than one spelling (threat W9): every segment must be canonical
 * base64url (decoding and re-encoding gives it back, so no stray padding bits), the header and
 * payload JSON must not start with a byte order mark, and must not repeat a member (JSON.parse
 * would silently keep the last one, while another parser might keep the first). Returns the decoded bytes of every segment, so that the
 * caller never decodes the token a second time.
 */
export function checkCompactEncoding(token: string): Uint8Array[] {
  const segments = token.split('.');
  const decoded: Uint8Array[] = [];
  for (const segment of segments) {
    const bytes = base64urlDecode(segment);
    if (base64urlEncode(bytes) !== segment) {
      throw new WimseError('wit_malformed', 'a WIT segment is not canonical base64url');
    }
    decoded.push(bytes);
  }
  for (const bytes of decoded.slice(0, 2)) {
    // JSON text carries no byte order mark (RFC 8259 §8.1); decoders that drop one would read a
    // second spelling of the same token.
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      throw new WimseError('wit_malformed', 'a WIT segment starts with a byte order mark');
    }
    if (hasDuplicateMembers(utf8Text(bytes))) {
      throw new WimseError('wit_malformed', 'the WIT repeats a JSON member');
    }
  }
  return decoded;
}

interface Container {
  readonly keys: Set<string> | undefined;
  expectKey: boolean;
}

/** True when some JSON object in `json` has the same member name twice. Assumes JSON syntax. */
export function hasDuplicateMembers(json: string): boolean {
  const stack: Container[] = [];
  for (let i = 0; i < json.length; i++) {
    const char = json.charCodeAt(i);
    if (char === QUOTE) {
      let end = i + 1;
      let escaped = false;
      while (end < json.length && json.charCodeAt(end) !== QUOTE) {
        if (json.charCodeAt(end) === BACKSLASH) {
          escaped = true;
          end += 2;
        } else end += 1;
      }
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        // A name without escapes is its own text; only escaped names need JSON's decoding.
        const key = escaped ? safeParse(json.slice(i, end + 1)) : json.slice(i + 1, end);
        if (top.keys.has(key)) return true;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    } else if (char === OPEN_BRACE) stack.push({ keys: new Set(), expectKey: true });
    else if (char === OPEN_BRACKET) stack.push({ keys: undefined, expectKey: false });
    else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) stack.pop();
    else if (char === COMMA) {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function safeParse(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal;
  }
}
