import { errors, type JWTVerifyGetKey } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';

/**
 * An unreachable or broken key set must refuse the request as unavailable (503), not as an
 * invalid token: jose reports "no such kid" with its own error, anything else is the key set.
 */
export function keyLookupFailingClosed(getKey: JWTVerifyGetKey, keySet = 'the issuer key set'): JWTVerifyGetKey {
  return async (protectedHeader, token) => {
    try {
      return await getKey(protectedHeader, token);
    } catch (cause) {
      if (cause instanceof WimseError) throw cause;
      if (cause instanceof errors.JWKSNoMatchingKey || cause instanceof errors.JWKSMultipleMatchingKeys) throw cause;
      throw new WimseError('unavailable', `${keySet} could not be obtained`, { cause });
    }
  };
}
