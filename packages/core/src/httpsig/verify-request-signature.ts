import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { type SignatureVerification, verifySignatureBytes } from '../base/runtime/verify-signature-bytes.js';
import { checkDigestFieldPresent, checkRequestBody } from '../digest/check-request-body.js';
import type { SignatureProfile } from '../profiles/profiles.js';
import type { ConfirmationKey } from '../wit/import-cnf-key.js';
import { checkAudience } from './audience.js';
import { checkCoveredRequestComponents } from './check-covered-components.js';
import { checkSignatureParams, type SignatureParams, type TimeWindow } from './check-signature-params.js';
import { parseSignatureFields } from './parse-signature-fields.js';
import { selectWimseSignature } from './select-wimse-signature.js';
import { buildSignatureBase, splitTarget } from './signature-base.js';

export interface VerifiedRequestSignature {
  readonly label: string;
  readonly params: SignatureParams;
  readonly coveredComponents: string[];
}

export interface RequestSignatureContext {
  readonly profile: SignatureProfile;
  readonly key: ConfirmationKey;
  readonly audiences: readonly string[];
  readonly window: TimeWindow;
  readonly verification?: SignatureVerification | undefined;
}

/**
 * Steps 3 and 4: select the WIMSE signature, check it against the profile (parameters, window,
 * audience, covered components), then verify it with the WIT's confirmation key. None of this
 * needs the body: the signature base covers the `Content-Digest` field, whose match with a body
 * still to be read is checked afterwards by `checkRequestBody` (digest/).
 */
export async function verifyRequestSignature(
  request: WorkloadRequest,
  context: RequestSignatureContext,
): Promise<VerifiedRequestSignature> {
  const { profile, key } = context;
  const signature = selectWimseSignature(parseSignatureFields(request.headers), profile);
  const params = checkSignatureParams(signature.params, profile, 'request', key.algorithm, context.window);
  checkAudience(params.audience, context.audiences, splitTarget(request.target).path);
  const coveredComponents = checkCoveredRequestComponents(signature.components, profile, request.headers);
  // The digest as early as the body is at hand: given bytes are checked now (cheap); bytes still
  // to be read are checked last, but a declared body without a digest field is refused now.
  if (request.body !== undefined) await checkRequestBody(request);
  else checkDigestFieldPresent(request.headers);
  const base = buildSignatureBase(signature.input, { kind: 'request', request });
  await verifySignatureBytes(base, signature.signature, key.publicKey, key.algorithm, context.verification);
  return { label: signature.label, params, coveredComponents };
}
