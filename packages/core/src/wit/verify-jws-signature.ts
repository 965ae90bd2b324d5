import { type KeyObject, verify } from 'node:crypto';
import type { SignatureVerification } from '../httpsig/verify-signature-bytes.js';
import type { SignatureAlgorithm } from './algorithms.js';
import { cryptoKeyInput } from './crypto-key-input.js';

/**
 * A JWS signature over `signingInput` (the ASCII of `header.payload`), checked with node:crypto
 * directly (no WebCrypto algorithm normalization or key conversion), on the event loop (`inline`)
 * or on libuv's thread pool (`thread-pool`), as the verifier's `signatureVerification` says for
 * every signature it checks. A signature of the wrong length or encoding is a failed
 * verification (false), never an exception.
 */
export function verifyJwsSignature(
  signingInput: Buffer,
  signature: Buffer,
  key: KeyObject,
  algorithm: SignatureAlgorithm,
  mode: SignatureVerification,
): Promise<boolean> {
  if (algorithm.signatureLength !== undefined && signature.length !== algorithm.signatureLength) {
    return Promise.resolve(false);
  }
  const keyInput = cryptoKeyInput(key, algorithm);
  if (mode === 'inline') {
    try {
      return Promise.resolve(verify(algorithm.hash, signingInput, keyInput, signature));
    } catch {
      return Promise.resolve(false);
    }
  }
  return new Promise((resolve) => {
    try {
      verify(algorithm.hash, signingInput, keyInput, signature, (error, valid) => resolve(!error && valid));
    } catch {
      resolve(false);
    }
  });
}
