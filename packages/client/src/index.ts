export { resolveSigningKey, type SigningKey, signBytes, type WorkloadCredentials } from '@wimse-pep/core/signing';
export { type BearerCallback, type BearerOption, type BearerSource, isBearerSource } from './bearer/bearer-source.js';
export { type CheckedBearerToken, checkBearerToken } from './bearer/check-bearer-token.js';
export { type RefreshingBearerOptions, refreshingBearer } from './bearer/refreshing-bearer.js';
export { type StaticBearerOptions, staticBearer } from './bearer/static-bearer.js';
export { toBearerSource } from './bearer/to-bearer-source.js';
export { type CheckedCredentials, checkCredentials } from './credentials/check-credentials.js';
export {
  type CredentialSource,
  type CredentialsCallback,
  type CredentialsOption,
  isCredentialSource,
} from './credentials/credential-source.js';
export {
  type FileCredentialSource,
  type FileCredentialsOptions,
  fileCredentials,
  parsePrivateKey,
} from './credentials/file-credentials.js';
export { readSendableWit, type SendableWit } from './credentials/read-sendable-wit.js';
export { type RefreshingCredentialsOptions, refreshingCredentials } from './credentials/refreshing-credentials.js';
export { type StaticCredentialsOptions, staticCredentials } from './credentials/static-credentials.js';
export { toCredentialSource } from './credentials/to-credential-source.js';
export {
  type WorkloadApiCredentialSource,
  type WorkloadApiCredentialsOptions,
  workloadApiCredentials,
} from './credentials/workload-api-credentials.js';
export { CredentialError } from './errors/credential-error.js';
export {
  createWimseFetch,
  DEFAULT_SIGNED_RESPONSE_MAX_BYTES,
  DEFAULT_SIGNED_RESPONSE_TIMEOUT_MS,
  type RequireSignedResponse,
  type WimseFetch,
  type WimseFetchOptions,
} from './fetch/create-wimse-fetch.js';
export { redactHeaders } from './fetch/redact-headers.js';
export type { SentRequest } from './fetch/sent-request.js';
export { forwardTransactionToken, type ReceivedHeaders } from './fetch/transaction-token.js';
export { ResponseVerificationError, responderOf } from './fetch/verify-response.js';
export { type MutualTlsFetch, type MutualTlsFetchOptions, mutualTlsFetch } from './mtls/mutual-tls-fetch.js';
export { MAX_SIGNATURE_LIFETIME_SEC, MAX_WPT_LIFETIME_SEC } from './sign/lifetime-limits.js';
export { type RequestToSign, type SignedRequest, type SignRequestOptions, signRequest } from './sign/sign-request.js';
export {
  loadWorkloadApi,
  type WitBundlesResponse,
  type WitSvidMessage,
  type WitSvidRequest,
  type WitSvidResponse,
  WORKLOAD_API_HEADER,
  type WorkloadApi,
} from './workload-api/workload-api-definition.js';
export { workloadApiTarget } from './workload-api/workload-api-target.js';
