import { hash } from 'node:crypto';

/**
 * The hash every WPT binding claim uses (`wth`, `tth`, `oth`, legacy `ath`): base64url of the
 * SHA-256 of the token's ASCII bytes.
 */
export function tokenHash(value: string): string {
  return hash('sha256', Buffer.from(value, 'ascii'), 'base64url');
}
