import { hash as nodeHash, timingSafeEqual } from 'node:crypto';

export type HashAlgorithm = 'sha256' | 'sha512';

/** One-shot SHA-2 digest of bytes or of a string's UTF-8 bytes. */
export function digest(algorithm: HashAlgorithm, input: Uint8Array | string): Uint8Array {
  return nodeHash(algorithm, input, 'buffer');
}

/** SHA-256, base64url: RFC 7638 thumbprints, token hashes (`wth`, `tth`), hashed identifiers. */
export function sha256Base64url(input: Uint8Array | string): string {
  return nodeHash('sha256', input, 'base64url');
}

/**
 * SHA-256 as a string of 32 code units below 256 (Node's 'binary'): a compact map key with no
 * Buffer per call (the replay store hashes every nonce).
 */
export function sha256Binary(input: string): string {
  return nodeHash('sha256', input, 'binary');
}

/** Byte-for-byte equality in time independent of where the bytes differ. */
export function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
