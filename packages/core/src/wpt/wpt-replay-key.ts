import { sha256Base64url } from '../base/runtime/hash.js';
import { replayKey } from '../replay/replay-key.js';

/**
 * The replay-store key of a WPT: its `jti` within the scope of the sender (draft-ietf-wimse-wpt-02
 * §3.1.4), hashed to a fixed length, under the `wpt` tag so it can never equal the key of an
 * HTTP-signature nonce kept in the same store (whose keys are tagged `sig:`).
 */
export function wptReplayKey(sender: string, jti: string): string {
  return replayKey('wpt', sha256Base64url(`${sender}\n${jti}`));
}
