/**
 * Bytes and their text encodings with the Web platform only (atob, btoa, TextEncoder): the Web
 * Crypto backend of the runtime seam, for runtimes without Node's Buffer.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh allocation of `length` bytes. */
export function allocateBytes(length: number): Uint8Array {
  return new Uint8Array(length);
}

export function base64urlDecode(text: string): Uint8Array {
  return base64Decode(text);
}

/** The base64url text of bytes, or of a string's UTF-8 bytes. */
export function base64urlEncode(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  return base64Encode(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Like Node's decoder: whitespace and padding ignored, both alphabets accepted. */
export function base64Decode(text: string): Uint8Array {
  let clean = text.replace(/[\s=]/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (clean.length % 4 === 1) clean = clean.slice(0, -1);
  return latin1Bytes(atob(clean + '='.repeat((4 - (clean.length % 4)) % 4)));
}

export function base64Encode(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.byteLength; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of a string of code units below 256 (JWS signing input, `Signature` bases). */
export function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

export function utf8Text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
