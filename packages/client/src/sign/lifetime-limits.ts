/**
 * The longest signature (`expires - created`) a verifier accepts with default options: its
 * `maxSignatureLifetimeSec` (five minutes plus one of margin). The client signs for no longer, so
 * that what it sends is not refused by a server it has never been configured against.
 */
export const MAX_SIGNATURE_LIFETIME_SEC = 360;

/** The longest Workload Proof Token (`exp` from now) a verifier accepts with default options: `wpt.maxLifetimeSec`. */
export const MAX_WPT_LIFETIME_SEC = 300;

/**
 * Checks a `lifetimeSec` option against the limit of its proof; the message names the limit and
 * why. `owner` names the function whose option it is.
 */
export function checkLifetimeSec(value: unknown, proof: 'http-signature' | 'wpt', owner: string): void {
  if (value === undefined) return;
  const [max, why] =
    proof === 'wpt'
      ? [MAX_WPT_LIFETIME_SEC, "a verifier's default wpt.maxLifetimeSec refuses longer WPTs"]
      : [MAX_SIGNATURE_LIFETIME_SEC, "a verifier's default maxSignatureLifetimeSec refuses longer signatures"];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(
      `${owner}: lifetimeSec must be an integer from 1 to ${max} (${why}), got ${typeof value === 'number' ? value : typeof value}`,
    );
  }
}
