/**
 * Default cap on a signature's `expires - created`. The drafts give no number ("on the order of
 * minutes"); every published example means five minutes, but the -07 generator reads its clock
 * again for `expires`, so three of its four messages carry 302 to 304 s. Five minutes plus one of
 * margin accepts what conforming signers send while keeping a captured signature short-lived.
 * Signers sign for no longer, so that a verifier with default options accepts what they send.
 */
export const DEFAULT_MAX_SIGNATURE_LIFETIME_SEC = 360;

/** Default cap on a Workload Proof Token's `exp` from now (`wpt.maxLifetimeSec`). */
export const DEFAULT_MAX_WPT_LIFETIME_SEC = 300;
