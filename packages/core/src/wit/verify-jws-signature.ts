import type { KeyObject } from 'node:crypto';
import { verify } from 'node:crypto';
import type { SignatureAlgorithm } from './algorithms.js';
import { cryptoKeyInput } from './crypto-key-input.js';

/**
 * A JWS signature over `signingInput` (the ASCII of `header.payload`), checked synchronously with
 * node:crypto: no WebCrypto job, no thread-pool hop. A signature of the wrong length or encoding
 * is a failed verification, never an exception.
 */
export function verifyJwsSignature(
  signingInput: Buffer,
  signature: Buffer,
  key: KeyObject,
  algorithm: SignatureAlgorithm,
): boolean {
  if (algorithm.signatureLength !== undefined && signature.length !== algorithm.signatureLength) return false;
  try {
    return verify(algorithm.hash, signingInput, cryptoKeyInput(key, algorithm), signature);
  } catch {
    return false;
  }
}
