import { randomBytes } from 'node:crypto';

/** `length` random bytes as base64url: nonces, `jti`s. */
export function randomBase64url(length: number): string {
  return randomBytes(length).toString('base64url');
}

/** A random signed 32-bit integer (hash-table seeds). */
export function randomInt32(): number {
  return randomBytes(4).readInt32LE(0);
}
