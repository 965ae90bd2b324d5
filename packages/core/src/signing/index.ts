export { signBytes } from '../base/runtime/sign-bytes.js';
export { createSignatureFields, type SignatureFields } from './create-signature-fields.js';
export { type ResponseToSign, type SignResponseOptions, signResponse } from './sign-response.js';
export { resolveSigningKey, type SigningKey, type WorkloadCredentials } from './signing-key.js';
