import { WimseError } from '../errors/wimse-error.js';

/**
 * RFC 7515 §4.1.11: a `crit` header lists extensions the recipient must understand or refuse the
 * token. The only JWS extension understood is RFC 7797's `b64`, and a JWT must keep its payload
 * base64url-encoded, so `crit` is either absent or names `b64` alone with `b64: true` (the rules
 * jose's jwtVerify applied before, in the same order). `b64` without `crit` has no effect.
 * Returns the `b64` in force: false is refused by the caller once the key is known, where jose
 * refused it (after the key lookup, so an unreachable key set still answers 503 first).
 */
export function checkCriticalHeader(header: Readonly<Record<string, unknown>>): boolean {
  const crit = header.crit;
  if (crit === undefined) return true;
  if (
    !Array.isArray(crit) ||
    crit.length === 0 ||
    crit.some((parameter) => typeof parameter !== 'string' || parameter === '')
  ) {
    throw new WimseError('wit_invalid', 'WIT crit must be an array of non-empty strings');
  }
  for (const parameter of crit as string[]) {
    if (parameter !== 'b64') throw new WimseError('wit_invalid', `WIT crit names an unsupported extension`);
    if (!Object.hasOwn(header, 'b64') || header.b64 === undefined) {
      throw new WimseError('wit_invalid', 'WIT crit names b64 but the header has none');
    }
  }
  if (typeof header.b64 !== 'boolean') throw new WimseError('wit_invalid', 'WIT b64 must be a boolean');
  return header.b64;
}
