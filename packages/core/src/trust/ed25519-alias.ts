import { errors, type JWTVerifyGetKey } from 'jose';

/**
 * A key published with `"alg":"EdDSA"` signs WITs whose header says `"alg":"Ed25519"` (RFC 9864's
 * fully specified name for the same algorithm on the same curve), and the other way round; jose
 * matches a JWK's `alg` literally, so the lookup is retried under the other name.
 */
export function withEd25519Alias(getKey: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      const alias = header.alg === 'Ed25519' ? 'EdDSA' : header.alg === 'EdDSA' ? 'Ed25519' : undefined;
      if (alias === undefined || !(error instanceof errors.JWKSNoMatchingKey)) throw error;
      return getKey({ ...header, alg: alias }, token);
    }
  };
}
