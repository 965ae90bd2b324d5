import { decodeJwt, decodeProtectedHeader, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { WimseError } from '../base/errors/wimse-error.js';
import { checkCompactEncoding } from '../base/jose/check-compact-encoding.js';
import { base64urlDecode } from '../base/runtime/bytes.js';

/** A WPT split into what its checks need; nothing in it is trusted yet. */
export interface DecodedWpt {
  readonly header: JWTHeaderParameters;
  readonly claims: JWTPayload;
  /** `BASE64URL(header) "." BASE64URL(payload)`: the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Uint8Array;
}

/** Decodes a compact WPT with the same one-spelling rules as the WIT (threat W9). */
export function decodeWpt(token: string): DecodedWpt {
  try {
    checkCompactEncoding(token);
  } catch (cause) {
    throw new WimseError('wpt_malformed', 'the WPT is not canonically encoded', { cause });
  }
  const [encodedHeader, encodedPayload, encodedSignature] = token.split('.') as [string, string, string];
  try {
    return {
      header: decodeProtectedHeader(token) as JWTHeaderParameters,
      claims: decodeJwt(token),
      signingInput: `${encodedHeader}.${encodedPayload}`,
      signature: base64urlDecode(encodedSignature),
    };
  } catch (cause) {
    throw new WimseError('wpt_malformed', 'the WPT does not decode as a JWT', { cause });
  }
}
