import { base64urlEncode } from './bytes.js';

/** `length` random bytes as base64url: nonces, `jti`s. */
export function randomBase64url(length: number): string {
  return base64urlEncode(crypto.getRandomValues(new Uint8Array(length)));
}

/** A random signed 32-bit integer (hash-table seeds). */
export function randomInt32(): number {
  return crypto.getRandomValues(new Int32Array(1))[0] as number;
}
