import { allocateBytes } from '../runtime/bytes.js';
import { StructuredFieldError } from './structured-field-error.js';

/** The value of each base64 character (RFC 4648 §4 alphabet), -1 for anything else. */
const SEXTETS = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  SEXTETS['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
}

function sextet(input: string, index: number): number {
  const code = input.charCodeAt(index);
  return code < 128 ? (SEXTETS[code] as number) : -1;
}

/**
 * Decodes the base64 text `input[start, end)` of a byte sequence, with the rules structured-headers
 * applies (WHATWG forgiving-base64, as `atob`, minus whitespace): padding is optional, but `=` only
 * at the end, at most two, and only when the length is a multiple of four; a length of 4n + 1
 * characters is refused; non-zero pad bits are ignored.
 *
 * The bytes are a Buffer from Node's pool, not a fresh ArrayBuffer: allocating an ArrayBuffer
 * (and, for a small view, node:crypto moving it off the heap later) cost more than the parse.
 */
export function decodeBase64(input: string, start: number, end: number): Uint8Array {
  let dataEnd = end;
  while (dataEnd > start && input.charCodeAt(dataEnd - 1) === 0x3d) dataEnd--;
  const padding = end - dataEnd;
  const length = dataEnd - start;
  if (padding > 2 || (padding > 0 && (end - start) % 4 !== 0) || length % 4 === 1) {
    throw new StructuredFieldError('Byte Sequence is not valid base64', start);
  }
  const bytes = allocateBytes((length * 3) >> 2);
  const wholeEnd = start + (length & ~3);
  let out = 0;
  let i = start;
  for (; i < wholeEnd; i += 4) {
    // A -1 anywhere leaves the sign bit set.
    const group =
      (sextet(input, i) << 18) | (sextet(input, i + 1) << 12) | (sextet(input, i + 2) << 6) | sextet(input, i + 3);
    if (group < 0) throw new StructuredFieldError('Byte Sequence is not valid base64', i);
    bytes[out] = group >> 16;
    bytes[out + 1] = group >> 8;
    bytes[out + 2] = group;
    out += 3;
  }
  if (i < dataEnd) {
    const hasThird = i + 2 < dataEnd;
    const group = (sextet(input, i) << 18) | (sextet(input, i + 1) << 12) | (hasThird ? sextet(input, i + 2) << 6 : 0);
    if (group < 0) throw new StructuredFieldError('Byte Sequence is not valid base64', i);
    bytes[out] = group >> 16;
    if (hasThird) bytes[out + 1] = group >> 8;
  }
  return bytes;
}
