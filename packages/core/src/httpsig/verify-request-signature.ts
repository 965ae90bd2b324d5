import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { type SignatureVerification, verifySignatureBytes } from '../base/runtime/verify-signature-bytes.js';
import { checkContentDigest } from '../digest/check-content-digest.js';
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
 * still to be read is checked afterwards by `checkRequestBody`.
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

/**
 * What can be said of the digest before the body is read: a declared non-empty body
 * (`Content-Length` > 0) without any `Content-Digest` field is `digest_missing` already.
 */
export function checkDigestFieldPresent(headers: WorkloadRequest['headers']): void {
  if (fieldLines(headers, 'content-digest').length > 0) return;
  const length = fieldLines(headers, 'content-length')[0];
  if (length !== undefined && /^\s*\d+\s*$/.test(length) && Number(length) > 0) {
    throw new WimseError('digest_missing', 'a request with a body needs Content-Digest');
  }
}

/**
 * The body (`body`, else `readBody()`, called only now) against `Content-Digest`.
 */
export async function checkRequestBody(request: WorkloadRequest): Promise<void> {
  const body = request.body ?? (request.readBody ? await request.readBody() : undefined);
  checkContentDigest(request.headers, body, requestHasBody(request.headers, body));
}

/**
 * A body is present when bytes were received or the framing says so (Content-Length > 0 or
 * Transfer-Encoding). Framing without bytes means the adapter could not read the raw body: that
 * is refused rather than letting the digest check be skipped.
 */
function requestHasBody(headers: WorkloadRequest['headers'], body: Uint8Array | undefined): boolean {
  if (body !== undefined) return body.byteLength > 0;
  const length = fieldLines(headers, 'content-length')[0];
  const framed = (length !== undefined && length.trim() !== '0') || fieldLines(headers, 'transfer-encoding').length > 0;
  if (framed) throw new WimseError('body_unavailable', 'the request has a body but its raw bytes were not provided');
  return false;
}
