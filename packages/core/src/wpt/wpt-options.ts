import type { WptProfileName } from '../profiles/wpt-profiles.js';

/** How Workload Proof Tokens are verified. */
export interface WptOptions {
  /** WPT profile; default `wpt-02`. `wpt-01` reads the older `Workload-Proof-Token` header and `ath`. */
  readonly profile?: WptProfileName;
  /** Longest accepted time from now to a WPT's `exp`, in seconds (default 300). */
  readonly maxLifetimeSec?: number;
  /**
   * Header fields (lower case) whose tokens this service understands as `oth` entries; each must
   * be bound by `oth` whenever the request carries it. Any other `oth` entry refuses the WPT.
   */
  readonly otherTokens?: readonly string[];
  /** Largest accepted WPT, in bytes (default 8192). */
  readonly maxBytes?: number;
}
