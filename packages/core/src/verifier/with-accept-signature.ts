import type { WimseErrorCode } from '../base/errors/codes.js';
import { WimseError } from '../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { acceptSignatureFor } from '../httpsig/accept-signature.js';
import type { VerifierSettings } from './normalize-options.js';

/**
 * Refusals for missing or insufficient credentials: the caller can do better next time, so they
 * carry `Accept-Signature` saying what this service accepts (http-signature-07 3.5, RFC 9421 5.1).
 * Forgeries and failures of a valid-looking proof get no hint.
 */
const ADVERTISED: ReadonlySet<WimseErrorCode> = new Set([
  'wit_missing',
  'signature_missing',
  'signature_profile',
  'digest_missing',
  'audience_mismatch',
]);

export function withAcceptSignature(error: unknown, request: WorkloadRequest, settings: VerifierSettings): unknown {
  if (!(error instanceof WimseError) || !ADVERTISED.has(error.code)) return error;
  return error.withHeaders({ 'Accept-Signature': acceptSignatureValue(request, settings) });
}

/** The `Accept-Signature` value for this request: what to sign to be accepted here. */
export function acceptSignatureValue(
  request: WorkloadRequest,
  settings: Pick<VerifierSettings, 'audiences' | 'profile'>,
): string {
  let audiences: readonly string[] = [];
  try {
    audiences = settings.audiences(request);
  } catch {
    // The advertisement is a courtesy: without a known audience it omits wimse-aud.
  }
  return acceptSignatureFor(settings.profile, request, audiences);
}
