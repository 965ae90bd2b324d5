import type { JWTPayload } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';

export interface WptClock {
  readonly nowSec: number;
  readonly clockToleranceSec: number;
  /** Longest accepted time from now to `exp` (the draft: minutes or seconds). */
  readonly maxLifetimeSec: number;
}

/**
 * `exp` present and not passed, and not unreasonably far ahead (P4); `nbf` and `iat`, when a sender
 * adds them, not in the future. Returns `exp`.
 */
export function checkWptLifetime(claims: JWTPayload, clock: WptClock): number {
  const { nowSec, clockToleranceSec, maxLifetimeSec } = clock;
  const { exp } = claims;
  if (exp === undefined) throw new WimseError('wpt_invalid', 'WPT exp is missing');
  if (!isTime(exp)) throw new WimseError('wpt_invalid', 'WPT exp is not a NumericDate');
  if (exp + clockToleranceSec <= nowSec) throw new WimseError('wpt_expired', 'WPT has expired');
  if (exp - nowSec > maxLifetimeSec + clockToleranceSec) {
    throw new WimseError('wpt_invalid', `WPT exp is more than ${maxLifetimeSec}s in the future`);
  }
  for (const name of ['nbf', 'iat'] as const) {
    const value = claims[name];
    if (value === undefined) continue;
    if (!isTime(value)) throw new WimseError('wpt_invalid', `WPT ${name} is not a NumericDate`);
    if (value > nowSec + clockToleranceSec) throw new WimseError('wpt_invalid', `WPT ${name} is in the future`);
  }
  return exp;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
