import { WimseError } from '../base/errors/wimse-error.js';

/**
 * The RFC 7519 claim checks of a WIT once its signature verified, in the order jose's jwtVerify
 * made them (so a WIT with several faults is refused with the same code): `cnf`, `sub` and `exp`
 * present; `iat` and `nbf` numbers when present; `nbf` reached (with tolerance); `exp` a number;
 * not expired (`exp` later than now minus the tolerance, else `wit_expired`). Further rules
 * (`iat` not in the future, maximum lifetime) follow in verifyWit.
 */
export function checkWitTimes(claims: Readonly<Record<string, unknown>>, nowMs: number, toleranceSec: number): void {
  for (const claim of ['cnf', 'sub', 'exp'] as const) {
    if (!Object.hasOwn(claims, claim)) throw new WimseError('wit_invalid', `WIT claim ${claim} is missing`);
  }
  const now = Math.floor(nowMs / 1000);
  numericDate(claims, 'iat');
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf > now + toleranceSec) throw new WimseError('wit_invalid', 'WIT is not valid yet (nbf)');
  const exp = numericDate(claims, 'exp') as number;
  if (exp <= now - toleranceSec) throw new WimseError('wit_expired', 'WIT has expired');
}

function numericDate(claims: Readonly<Record<string, unknown>>, claim: 'iat' | 'nbf' | 'exp'): number | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new WimseError('wit_invalid', `WIT claim ${claim} must be a number`);
  return value;
}
