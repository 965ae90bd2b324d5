import { WimseError } from '../base/errors/wimse-error.js';
import { parseSignatureFields } from '../httpsig/parse-signature-fields.js';
import { splitTarget } from '../httpsig/signature-base.js';
import type { WptIdentity } from '../identity/workload-identity.js';
import { recordNonce } from '../replay/record-nonce.js';
import type { ReceivedRequest } from '../request/received-request.js';
import { witIdentity } from '../wit/wit-identity.js';
import { readWptToken } from '../wpt/read-wpt-token.js';
import { verifyWptToken } from '../wpt/verify-wpt-token.js';
import { wptReplayKey } from '../wpt/wpt-replay-key.js';
import { audiencesFor } from './audiences-for.js';
import type { VerifierSettings, WptSettings } from './normalize-options.js';
import { verifyPresentedWit } from './verify-presented-wit.js';
import type { WitCache } from './wit-cache.js';

/** The challenge of a recipient that accepts WPTs (draft-ietf-wimse-wpt-02 §2.1). */
const WPT_CHALLENGE = { 'WWW-Authenticate': 'WPT' } as const;

/**
 * The WPT pipeline (draft-ietf-wimse-wpt-02 §2): the WIT validated exactly as for HTTP signatures,
 * then the one WPT, its signature by the WIT's key, audience, lifetime, `jti`, token bindings, and
 * the `jti` recorded for its sender. Every refusal of a request's credentials carries the `WPT`
 * challenge.
 */
export async function verifyWptRequest(
  request: ReceivedRequest,
  settings: VerifierSettings,
  wpt: WptSettings,
  witCache: WitCache,
): Promise<WptIdentity> {
  try {
    return await verify(request, settings, wpt, witCache);
  } catch (error) {
    if (error instanceof WimseError && error.status >= 400 && error.status < 500) {
      throw error.withHeaders(WPT_CHALLENGE);
    }
    throw error;
  }
}

async function verify(
  request: ReceivedRequest,
  settings: VerifierSettings,
  wpt: WptSettings,
  witCache: WitCache,
): Promise<WptIdentity> {
  const nowMs = settings.now();
  const nowSec = Math.floor(nowMs / 1000);
  const { clockToleranceSec } = settings;

  // The WIT first, as the draft orders it: same registry, cache and codes as HTTP signatures.
  const wit = await verifyPresentedWit(request.headers, settings, witCache, nowMs);

  const token = readWptToken(request.headers, wpt.profile, wpt.maxBytes);
  refuseWimseSignature(request, settings);
  const { claims, audience, exp, jti, boundTokens } = await verifyWptToken(token, {
    profile: wpt.profile,
    key: wit.cnf,
    wit: wit.token,
    headers: request.headers,
    audiences: audiencesFor(request, settings),
    path: splitTarget(request.target).path,
    clock: { nowSec, clockToleranceSec, maxLifetimeSec: wpt.maxLifetimeSec },
    otherTokens: wpt.otherTokens,
    verification: settings.signatureVerification,
  });

  // The jti, only now that everything else holds, within the scope of its sender (and charged to
  // it); kept until exp plus the tolerance. A store that bounds what it accepts by creation time
  // gets one computed from the token (iat, else the earliest time the lifetime cap allows), the
  // same for a replay.
  const createdSec = typeof claims.iat === 'number' ? claims.iat : exp - wpt.maxLifetimeSec;
  try {
    await recordNonce(
      settings.replayStore,
      wptReplayKey(wit.subject.id, jti),
      (exp + clockToleranceSec) * 1000,
      Math.floor(createdSec * 1000),
      settings.replayStoreTimeoutMs,
      nowMs,
      wit.subject.id,
    );
  } catch (error) {
    if (error instanceof WimseError && error.code === 'replay') {
      throw new WimseError('wpt_replay', 'WPT jti already seen for this sender');
    }
    throw error;
  }

  // Object.assign, not a spread: a spread followed by more members cost microseconds (V8, Node 20).
  return Object.assign(witIdentity(wit), {
    proof: 'wpt' as const,
    consumedFields: wpt.profile.carrier === 'authorization' ? WPT_FIELDS : LEGACY_WPT_FIELDS,
    profile: wpt.profile.name,
    jti,
    expires: exp,
    audience,
    boundTokens,
  });
}

/** What a WPT proof consumes: a handler must not forward these as they are (O2). */
const WPT_FIELDS: readonly string[] = Object.freeze(['workload-identity-token', 'authorization']);
const LEGACY_WPT_FIELDS: readonly string[] = Object.freeze(['workload-identity-token', 'workload-proof-token']);

/**
 * A request proves possession once. The drafts define the WPT and the WIMSE HTTP signature as
 * alternatives and say nothing of a request that carries both, so such a request is refused
 * rather than verified by one proof with the other left unchecked. Signatures of other parties
 * (a middlebox's, under another tag) are not WIMSE proofs and are left alone.
 */
function refuseWimseSignature(request: ReceivedRequest, settings: VerifierSettings): void {
  const headers = request.headers;
  if (!request.presented.httpSignature) return;
  let wimse = true;
  try {
    wimse = parseSignatureFields(headers).some((member) => member.params.get('tag') === settings.profile.tag);
  } catch {
    // Unparseable signature fields cannot be shown to be someone else's: refuse (fail closed).
  }
  if (wimse) throw new WimseError('wpt_conflict', 'the request carries both a WPT and a WIMSE HTTP signature');
}
