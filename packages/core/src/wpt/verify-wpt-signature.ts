import { WimseError } from '../base/errors/wimse-error.js';
import { type SignatureVerification, verifySignatureBytes } from '../base/runtime/verify-signature-bytes.js';
import type { WptProfile } from '../profiles/wpt-profiles.js';
import type { ConfirmationKey } from '../wit/import-cnf-key.js';
import type { DecodedWpt } from './decode-wpt.js';

/**
 * The WPT's JOSE header and signature: explicitly typed `wpt+jwt` (`application/wpt+jwt` conveys
 * the same media type, RFC 7515 §4.1.9), no extension the verifier would have to understand,
 * `alg` string-equal to `cnf.jwk.alg`, and a signature by the WIT's confirmation key (P3).
 */
export async function verifyWptSignature(
  wpt: DecodedWpt,
  key: ConfirmationKey,
  profile: WptProfile,
  verification?: SignatureVerification,
): Promise<void> {
  if (!acceptedType(wpt.header.typ, profile.types)) throw new WimseError('wpt_invalid', 'WPT typ is not wpt+jwt');
  if (wpt.header.crit !== undefined) throw new WimseError('wpt_invalid', 'WPT crit names extensions not understood');
  if (wpt.header.alg !== key.alg) throw new WimseError('wpt_invalid', 'WPT alg does not equal cnf.jwk.alg');
  try {
    await verifySignatureBytes(wpt.signingInput, wpt.signature, key.publicKey, key.algorithm, verification);
  } catch (cause) {
    throw new WimseError('wpt_invalid', 'WPT signature does not verify with cnf.jwk', { cause });
  }
}

function acceptedType(typ: unknown, types: readonly string[]): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  const bare = lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
  return types.includes(bare);
}
