import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { base64urlEncode } from './bytes.js';

export type HashAlgorithm = 'sha256' | 'sha512';

const encoder = new TextEncoder();

/**
 * One-shot SHA-2 digest of bytes or of a string's UTF-8 bytes. Synchronous like Node's, which Web
 * Crypto's `digest` is not: @noble/hashes (audited, pure JavaScript) computes it.
 */
export function digest(algorithm: HashAlgorithm, input: Uint8Array | string): Uint8Array {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  return algorithm === 'sha256' ? sha256(bytes) : sha512(bytes);
}

/** SHA-256, base64url: RFC 7638 thumbprints, token hashes (`wth`, `tth`), hashed identifiers. */
export function sha256Base64url(input: Uint8Array | string): string {
  return base64urlEncode(digest('sha256', input));
}

/** SHA-256 as a string of 32 code units below 256: a compact map key (the replay store's). */
export function sha256Binary(input: string): string {
  return String.fromCharCode(...sha256(encoder.encode(input)));
}

/** Byte-for-byte equality in time independent of where the bytes differ. */
export function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let difference = 0;
  for (let i = 0; i < a.byteLength; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}
