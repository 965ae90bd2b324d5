export { resolveSigningKey, type SigningKey, signBytes, type WorkloadCredentials } from '@wimse-pep/core';
export { type RequestToSign, type SignedRequest, type SignRequestOptions, signRequest } from './sign/sign-request.js';
