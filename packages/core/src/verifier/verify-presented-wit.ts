import { WimseError } from '../base/errors/wimse-error.js';
import type { HeaderValue } from '../base/fields/workload-request.js';
import { checkNotIssuedBefore } from '../wit/check-not-issued-before.js';
import { assertCompactJwt, readWitField } from '../wit/read-wit-header.js';
import { type VerifiedWit, verifyWit } from '../wit/verify-wit.js';
import type { VerifierSettings } from './normalize-options.js';
import type { WitCache } from './wit-cache.js';

/**
 * Steps 1-2 for any message, request or response: the one `Workload-Identity-Token` it carries,
 * fully validated (or taken from the cache of verified WITs) and still unexpired now.
 */
export function verifyPresentedWit(
  headers: Readonly<Record<string, HeaderValue>>,
  settings: VerifierSettings,
  witCache: WitCache,
  nowMs: number,
): VerifiedWit | Promise<VerifiedWit> {
  const { profile, clockToleranceSec } = settings;
  const token = readWitField(headers, settings.maxWitBytes);
  // A token in the cache is the very string that passed this check (the pattern is the hot path's
  // largest regular expression); any other is checked before it can touch the cache.
  if (!witCache.has(token)) assertCompactJwt(token);
  const found = witCache.get(
    token,
    () =>
      verifyWit(token, {
        trust: settings.trust,
        profile,
        clockToleranceSec,
        nowMs,
        maxLifetimeSec: settings.maxWitLifetimeSec,
        signatureVerification: settings.signatureVerification,
      }),
    clockToleranceSec,
  );
  // A WIT from the cache comes back without a promise: the warm path takes no turn of the event loop.
  return found instanceof Promise
    ? found.then((wit) => checkStillValid(wit, settings, nowMs))
    : checkStillValid(found, settings, nowMs);
}

function checkStillValid(
  wit: VerifiedWit,
  settings: VerifierSettings,
  nowMs: number,
): VerifiedWit | Promise<VerifiedWit> {
  // A cached WIT is re-checked against the clock: the cache never extends a WIT's life.
  if (wit.expiresAt + settings.clockToleranceSec <= Math.floor(nowMs / 1000)) {
    throw new WimseError('wit_expired', 'WIT has expired');
  }
  // Revocation by time applies to cached WITs as well: it is asked on every use.
  if (settings.notIssuedBefore !== undefined) {
    return checkNotIssuedBefore(wit, settings.notIssuedBefore, settings.notIssuedBeforeTimeoutMs).then(() => wit);
  }
  return wit;
}
