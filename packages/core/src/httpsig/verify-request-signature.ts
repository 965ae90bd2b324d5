import { checkContentDigest } from '../digest/check-content-digest.js';
import { WimseError } from '../errors/wimse-error.js';
import type { SignatureProfile } from '../profiles/profiles.js';
import { fieldLines } from '../request/field-lines.js';
import type { WorkloadRequest } from '../types/request.js';
import type { ConfirmationKey } from '../wit/import-cnf-key.js';
import { checkAudience } from './audience.js';
import { checkCoveredRequestComponents } from './check-covered-components.js';
import { checkSignatureParams, type SignatureParams, type TimeWindow } from './check-signature-params.js';
import { parseSignatureFields } from './parse-signature-fields.js';
import { selectWimseSignature } from './select-wimse-signature.js';
import { buildSignatureBase, splitTarget } from './signature-base.js';
import { verifySignatureBytes } from './verify-signature-bytes.js';

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
}

/**
 * Steps 3 to 5: select the WIMSE signature, check it against the profile (parameters, window,
 * audience, covered components), check Content-Digest against the raw body, then verify the
 * signature with the WIT's confirmation key.
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
  checkContentDigest(request.headers, request.body, requestHasBody(request));
  const base = buildSignatureBase(signature.input, { kind: 'request', request });
  await verifySignatureBytes(base, signature.signature, key.publicKey, key.algorithm);
  return { label: signature.label, params, coveredComponents };
}

/**
 * A body is present when bytes were received or the framing says so (Content-Length > 0 or
 * Transfer-Encoding). Framing without bytes means the adapter could not read the raw body: that
 * is refused rather than letting the digest check be skipped.
 */
function requestHasBody(request: WorkloadRequest): boolean {
  if (request.body !== undefined) return request.body.byteLength > 0;
  const length = fieldLines(request.headers, 'content-length')[0];
  const framed =
    (length !== undefined && length.trim() !== '0') || fieldLines(request.headers, 'transfer-encoding').length > 0;
  if (framed) throw new WimseError('body_unavailable', 'the request has a body but its raw bytes were not provided');
  return false;
}
