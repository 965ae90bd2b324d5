import { decodeProtectedHeader } from 'jose';

/**
 * The normalized `typ` of a JWS-shaped token (`application/` dropped, lower case), `''` when it
 * has none, or undefined when the token is not a decodable JWS (an opaque token).
 */
export function tokenType(token: string): string | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    const { typ } = decodeProtectedHeader(token);
    return typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : '';
  } catch {
    return undefined;
  }
}

/** Proof tokens of the WIMSE drafts: never bearer credentials (threats W11, M3). */
export const WIMSE_TOKEN_TYPES: readonly string[] = ['wit+jwt', 'wpt+jwt'];
