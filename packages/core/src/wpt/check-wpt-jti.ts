import { WimseError } from '../base/errors/wimse-error.js';

/** Shortest accepted `jti`: 16 characters hold 96 bits in base64url, 64 in hex. */
export const MIN_JTI_LENGTH = 16;
export const MAX_JTI_LENGTH = 256;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * `jti` present and shaped like an identifier with a negligible chance of repeating (P4): a string
 * of visible ASCII, long enough to carry random bits, bounded so the replay store stays cheap.
 */
export function checkWptJti(jti: unknown): string {
  if (jti === undefined) throw new WimseError('wpt_invalid', 'WPT jti is missing');
  if (typeof jti !== 'string' || !VISIBLE_ASCII.test(jti)) {
    throw new WimseError('wpt_invalid', 'WPT jti is not a string of visible ASCII');
  }
  if (jti.length < MIN_JTI_LENGTH || jti.length > MAX_JTI_LENGTH) {
    throw new WimseError('wpt_invalid', `WPT jti must have ${MIN_JTI_LENGTH} to ${MAX_JTI_LENGTH} characters`);
  }
  if (new Set(jti).size < 4) throw new WimseError('wpt_invalid', 'WPT jti does not look random');
  return jti;
}
