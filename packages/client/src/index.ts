export { signRequest, type RequestToSign, type SignRequestOptions, type SignedRequest } from './sign/sign-request.js';
export { resolveSigningKey, type SigningKey, type WorkloadCredentials } from './sign/signing-key.js';
export { signBytes } from './sign/sign-bytes.js';
