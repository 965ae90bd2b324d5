import { WimseError } from '../base/errors/wimse-error.js';
import { fieldLines } from '../base/fields/field-lines.js';
import type { HeaderValue } from '../base/fields/workload-request.js';
import { verifySignatureBytes } from '../base/runtime/verify-signature-bytes.js';
import { checkContentDigest } from '../digest/check-content-digest.js';
import type { SignatureProfile } from '../profiles/profiles.js';
import type { ConfirmationKey } from '../wit/import-cnf-key.js';
import { serializeComponents } from './check-covered-components.js';
import { checkSignatureParams, type SignatureParams, type TimeWindow } from './check-signature-params.js';
import { parseSignatureFields } from './parse-signature-fields.js';
import { selectWimseSignature } from './select-wimse-signature.js';
import { buildSignatureBase, type RequestParts } from './signature-base.js';

/** A response to verify: status, header fields and, for `Content-Digest`, the body. */
export interface SignedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  readonly body?: Uint8Array | undefined;
}

export interface ResponseSignatureContext {
  readonly profile: SignatureProfile;
  /** The responder's key, from the response's own verified WIT (never the requester's: R4). */
  readonly key: ConfirmationKey;
  /** The nonce of the request this response answers (R2). */
  readonly requestNonce: string;
  readonly window: TimeWindow;
}

/**
 * Verifies a signed response against the request it answers: the response profile (R3), the
 * request-bound components that pin it to this request (R1), `wimse-req-nonce` (R2), the
 * digest of its body, and the signature under the responder's key.
 */
export async function verifyResponseSignature(
  response: SignedResponse,
  request: RequestParts,
  context: ResponseSignatureContext,
): Promise<{ label: string; params: SignatureParams; coveredComponents: string[] }> {
  const { profile, key } = context;
  const signature = selectWimseSignature(parseSignatureFields(response.headers), profile);
  const params = checkSignatureParams(signature.params, profile, 'response', key.algorithm, context.window);
  if (profile.responseRequestNonce && params.requestNonce === undefined) {
    throw new WimseError('signature_profile', 'the response signature has no wimse-req-nonce');
  }
  if (params.requestNonce !== undefined && params.requestNonce !== context.requestNonce) {
    throw new WimseError('signature_invalid', "wimse-req-nonce is not this request's nonce");
  }
  const coveredComponents = serializeComponents(signature.components);
  const required = ['"@status"', '"workload-identity-token"', ...profile.responseRequestComponents];
  for (const field of ['content-type', 'content-digest']) {
    if (fieldLines(response.headers, field).length > 0) required.push(`"${field}"`);
  }
  for (const component of required) {
    if (!coveredComponents.includes(component)) {
      throw new WimseError('signature_profile', `response signature does not cover ${component}`);
    }
  }
  const hasBody = response.body !== undefined && response.body.byteLength > 0;
  checkContentDigest(response.headers, response.body, hasBody);
  const base = buildSignatureBase(signature.input, { kind: 'response', response, request });
  await verifySignatureBytes(base, signature.signature, key.publicKey, key.algorithm);
  return { label: signature.label, params, coveredComponents };
}
