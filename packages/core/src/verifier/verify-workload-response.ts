import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { RequestParts } from '../httpsig/signature-base.js';
import { type SignedResponse, verifyResponseSignature } from '../httpsig/verify-response-signature.js';
import type { HttpSignatureIdentity } from '../identity/workload-identity.js';
import { witIdentity } from '../wit/wit-identity.js';
import type { VerifierSettings } from './normalize-options.js';
import { verifyPresentedWit } from './verify-presented-wit.js';
import type { WitCache } from './wit-cache.js';

/** The identity of a workload that signed a response. */
export type ResponderIdentity = Omit<
  HttpSignatureIdentity,
  'audience' | 'signResponse' | 'proof' | 'consumedFields'
> & {
  readonly proof: 'signed-response';
};

/** What a signed response must match: the request it answers and, optionally, the responder. */
export interface ResponseExpectations {
  /** The `nonce` of the signed request this response answers. */
  readonly requestNonce: string;
  /** When set, the responder must be exactly this workload (R6). */
  readonly expectedId?: string | undefined;
}

/**
 * The client's side of signed responses: the responder's own WIT is verified against the trust
 * configuration (its key, not the requester's, verifies the response: R4), then the response
 * signature is checked against the request it answers.
 */
export async function verifyWorkloadResponse(
  response: SignedResponse,
  request: RequestParts,
  expectations: ResponseExpectations,
  settings: VerifierSettings,
  witCache: WitCache,
): Promise<ResponderIdentity> {
  const nowMs = settings.now();
  const nowSec = Math.floor(nowMs / 1000);
  const { profile, clockToleranceSec } = settings;
  // An unsigned response (R5) says so first, whatever else it lacks.
  if (
    fieldLines(response.headers, 'signature').length === 0 &&
    fieldLines(response.headers, 'signature-input').length === 0
  ) {
    throw new WimseError('signature_missing', 'the response is not signed');
  }
  const wit = await verifyPresentedWit(response.headers, settings, witCache, nowMs);
  if (expectations.expectedId !== undefined && wit.subject.id !== expectations.expectedId) {
    throw new WimseError('unexpected_responder', 'the response was signed by another workload than expected');
  }
  const signature = await verifyResponseSignature(response, request, {
    profile,
    key: wit.cnf,
    requestNonce: expectations.requestNonce,
    window: { nowSec, clockToleranceSec, maxLifetimeSec: settings.maxSignatureLifetimeSec },
  });
  // Object.assign, not a spread: a spread followed by more members cost microseconds (V8, Node 20).
  return Object.assign(witIdentity(wit), {
    proof: 'signed-response' as const,
    profile: profile.name,
    signatureLabel: signature.label,
    created: signature.params.created,
    expires: signature.params.expires,
    nonce: signature.params.nonce,
    coveredComponents: signature.coveredComponents,
  });
}
