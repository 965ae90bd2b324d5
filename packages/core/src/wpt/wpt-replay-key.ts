import { hash } from 'node:crypto';

/**
 * The replay-store key of a WPT: its `jti` within the scope of the sender (draft-ietf-wimse-wpt-02
 * §3.1.4), hashed to a fixed length and prefixed so it can never collide with an HTTP-signature
 * nonce kept in the same store.
 */
export function wptReplayKey(sender: string, jti: string): string {
  return `wpt:${hash('sha256', `${sender}\n${jti}`, 'base64url')}`;
}
