import type { JWTPayload } from 'jose';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import type { SignatureVerification } from '../base/runtime/verify-signature-bytes.js';
import type { WptProfile } from '../profiles/wpt-profiles.js';
import type { ConfirmationKey } from '../wit/import-cnf-key.js';
import { checkTokenBindings } from './check-token-bindings.js';
import { checkWptAudience } from './check-wpt-audience.js';
import { checkWptJti } from './check-wpt-jti.js';
import { checkWptLifetime, type WptClock } from './check-wpt-lifetime.js';
import { decodeWpt } from './decode-wpt.js';
import { verifyWptSignature } from './verify-wpt-signature.js';

export interface WptTokenContext {
  readonly profile: WptProfile;
  /** The WIT's confirmation key: the only key and algorithm the WPT may use. */
  readonly key: ConfirmationKey;
  /** The WIT exactly as presented (`wth`). */
  readonly wit: string;
  /** The request's header fields (the context tokens `tth`/`oth`/`ath` bind). */
  readonly headers: WorkloadRequest['headers'];
  /** This service's configured origins; `aud` must be one of them plus `path`. */
  readonly audiences: readonly string[];
  /** The request path, without query. */
  readonly path: string;
  readonly clock: WptClock;
  readonly otherTokens: readonly string[];
  /** Where the WPT's signature is checked (the verifier's `signatureVerification`). */
  readonly verification?: SignatureVerification | undefined;
}

export interface VerifiedWpt {
  readonly claims: JWTPayload;
  readonly audience: string;
  readonly exp: number;
  readonly jti: string;
  readonly boundTokens: readonly string[];
}

/**
 * Every check of one WPT against the WIT's key and the request, in the draft's order: one
 * well-formed JWT, `typ` and `alg`, the signature, `aud`, `exp`, `jti`, then the hash bindings.
 * The replay check is the caller's (it needs a store).
 */
export async function verifyWptToken(token: string, context: WptTokenContext): Promise<VerifiedWpt> {
  const decoded = decodeWpt(token);
  await verifyWptSignature(decoded, context.key, context.profile, context.verification);
  const { claims } = decoded;
  const audience = checkWptAudience(claims.aud, context.audiences, context.path);
  const exp = checkWptLifetime(claims, context.clock);
  const jti = checkWptJti(claims.jti);
  const boundTokens = checkTokenBindings(claims, {
    wit: context.wit,
    headers: context.headers,
    profile: context.profile,
    otherTokens: context.otherTokens,
  });
  return { claims, audience, exp, jti, boundTokens };
}
