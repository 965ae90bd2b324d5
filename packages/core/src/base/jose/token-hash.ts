import { latin1Bytes } from '../runtime/bytes.js';
import { sha256Base64url } from '../runtime/hash.js';

/**
 * The hash every WPT binding claim uses (`wth`, `tth`, `oth`, legacy `ath`): base64url of the
 * SHA-256 of the token's ASCII bytes.
 */
export function tokenHash(value: string): string {
  return sha256Base64url(latin1Bytes(value));
}
