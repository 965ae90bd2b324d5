import { WimseError } from '../../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../../base/fields/workload-request.js';
import { oneOf } from '../../base/options/option-checks.js';
import type { HttpSignatureIdentity, WorkloadIdentity } from '../../identity/workload-identity.js';
import type { SignatureProfile } from '../../profiles/profiles.js';
import type { ResponseToSign } from '../../signing/sign-response.js';
import { signResponse } from '../../signing/sign-response.js';
import { resolveSigningKey, type WorkloadCredentials } from '../../signing/signing-key.js';

/** How a guard signs its responses: this service's credentials, and when to sign. */
export interface ResponseSigningOptions {
  /** This service's own WIT and key, or a function returning the current ones (rotation). */
  readonly credentials: WorkloadCredentials | (() => WorkloadCredentials | Promise<WorkloadCredentials>);
  /** `requested` (default): sign when the caller sent `wimse-sign-response`; `always`: every verified request. */
  readonly when?: 'requested' | 'always';
  /** Signature lifetime in seconds (default 60). */
  readonly lifetimeSec?: number;
}

export interface ResponseSigner {
  /** Whether the response to this verified request must be signed. */
  required(identity: WorkloadIdentity | undefined): identity is HttpSignatureIdentity;
  /** The header fields to add; throws `response_signing_unavailable` when signing fails. */
  sign(
    identity: HttpSignatureIdentity,
    request: WorkloadRequest,
    response: ResponseToSign,
  ): Promise<Record<string, string>>;
}

/** Validates the response-signing options once and returns the signer the adapters call. */
export function createResponseSigner(
  options: ResponseSigningOptions,
  profile: SignatureProfile,
  now: () => number,
): ResponseSigner {
  const when = oneOf(options.when, ['requested', 'always'], 'createWorkloadGuard: responseSigning.when') ?? 'requested';
  const { credentials } = options;
  if (typeof credentials !== 'function') resolveSigningKey(credentials); // fail at start-up, not per response
  return {
    // Only an HTTP-signature request carries the nonce a signed response must echo (wimse-req-nonce).
    required: (identity): identity is HttpSignatureIdentity =>
      identity?.proof === 'http-signature' && (when === 'always' || identity.signResponse),
    async sign(identity, request, response) {
      try {
        const current = typeof credentials === 'function' ? await credentials() : credentials;
        return await signResponse(response, request, resolveSigningKey(current), {
          profile,
          requestNonce: identity.nonce,
          now,
          ...(options.lifetimeSec === undefined ? {} : { lifetimeSec: options.lifetimeSec }),
        });
      } catch (cause) {
        throw new WimseError('response_signing_unavailable', 'the response could not be signed', { cause });
      }
    },
  };
}
