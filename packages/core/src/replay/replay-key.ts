/**
 * The kinds of key a replay store holds, each under its own tag. Tags are fixed, distinct and end
 * with ':', so none is a prefix of another: a key of one kind starts with its tag and can never be
 * equal to a key of another kind, whatever the attacker-chosen string after the tag. The stores
 * hash (and the memory store truncates) the whole key, tag included. A new kind of proof adds its
 * tag here; it must never reuse one.
 */
const REPLAY_KEY_TAGS = {
  /** The `nonce` parameter of a WIMSE HTTP message signature, as received. */
  'http-signature': 'sig:',
  /** The digest of a WPT's sender and `jti` (see wptReplayKey). */
  wpt: 'wpt:',
  /** A Transaction Token's `txn` (only when a service refuses a transaction calling it twice). */
  txn: 'txn:',
} as const;

export type ReplayKeyKind = keyof typeof REPLAY_KEY_TAGS;

/** The replay-store key of `value` as a key of `kind`: the kind's tag, then the value. */
export function replayKey(kind: ReplayKeyKind, value: string): string {
  return REPLAY_KEY_TAGS[kind] + value;
}
