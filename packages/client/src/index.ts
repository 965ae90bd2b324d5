export { resolveSigningKey, type SigningKey, signBytes, type WorkloadCredentials } from '@wimse-pep/core';
export { type CheckedCredentials, checkCredentials } from './credentials/check-credentials.js';
export { CredentialError } from './credentials/credential-error.js';
export {
  type CredentialSource,
  type CredentialsCallback,
  type CredentialsOption,
  isCredentialSource,
  toCredentialSource,
} from './credentials/credential-source.js';
export {
  type FileCredentialSource,
  type FileCredentialsOptions,
  fileCredentials,
  parsePrivateKey,
} from './credentials/file-credentials.js';
export { type RefreshingCredentialsOptions, refreshingCredentials } from './credentials/refreshing-credentials.js';
export { type StaticCredentialsOptions, staticCredentials } from './credentials/static-credentials.js';
export {
  createWimseFetch,
  type RequireSignedResponse,
  type WimseFetch,
  type WimseFetchOptions,
} from './fetch/create-wimse-fetch.js';
export type { SentRequest } from './fetch/sent-request.js';
export { ResponseVerificationError, responderOf } from './fetch/verify-response.js';
export { type MutualTlsFetch, type MutualTlsFetchOptions, mutualTlsFetch } from './mtls/mutual-tls-fetch.js';
export { type RequestToSign, type SignedRequest, type SignRequestOptions, signRequest } from './sign/sign-request.js';
