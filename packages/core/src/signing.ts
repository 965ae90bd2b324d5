/**
 * `@wimse-pep/core/signing`: what the signing side uses (clients, the CLI, services signing their
 * responses): signature fields for a request, signed responses, Workload Proof Tokens, digests and
 * token hashes, the profiles and algorithms, and the lifetimes a default verifier accepts.
 */

export { tokenHash } from './base/jose/token-hash.js';
export { signBytes } from './base/runtime/sign-bytes.js';
export { type SignatureAlgorithm, signatureAlgorithms } from './base/runtime/signature-algorithms.js';
export { contentDigest } from './digest/check-content-digest.js';
export {
  buildSignatureBase,
  type RequestParts,
  type ResponseParts,
  type SignedMessage,
  splitTarget,
} from './httpsig/signature-base.js';
export type { SignedResponse } from './httpsig/verify-response-signature.js';
export { DEFAULT_MAX_SIGNATURE_LIFETIME_SEC, DEFAULT_MAX_WPT_LIFETIME_SEC } from './profiles/default-lifetimes.js';
export { defaultProfileName, type ProfileName, profiles, type SignatureProfile } from './profiles/profiles.js';
export { createSignatureFields, type SignatureFields } from './signing/create-signature-fields.js';
export {
  createWorkloadProofToken,
  type WorkloadProofTokenOptions,
} from './signing/create-workload-proof-token.js';
export { type ResponseToSign, type SignResponseOptions, signResponse } from './signing/sign-response.js';
export { resolveSigningKey, type SigningKey, type WorkloadCredentials } from './signing/signing-key.js';
export type { ResponderIdentity, ResponseExpectations } from './verifier/verify-workload-response.js';
export { type ConfirmationKey, type ImportedConfirmationKey, importCnfKey } from './wit/import-cnf-key.js';
