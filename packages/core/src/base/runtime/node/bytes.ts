/**
 * Bytes and their text encodings, on Node's Buffer (the fastest codec Node has). This folder is the
 * runtime seam: another runtime (Web Crypto on workerd, Bun, Deno) replaces its files, nothing else.
 */

/** A fresh allocation of `length` bytes whose content is undefined until written. */
export function allocateBytes(length: number): Uint8Array {
  return Buffer.allocUnsafe(length);
}

export function base64urlDecode(text: string): Uint8Array {
  return Buffer.from(text, 'base64url');
}

/** The base64url text of bytes, or of a string's UTF-8 bytes. */
export function base64urlEncode(input: Uint8Array | string): string {
  return typeof input === 'string'
    ? Buffer.from(input, 'utf8').toString('base64url')
    : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('base64url');
}

export function base64Decode(text: string): Uint8Array {
  return Buffer.from(text, 'base64');
}

export function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The bytes of a string of code units below 256 (JWS signing input, `Signature` bases). */
export function latin1Bytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

export function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
