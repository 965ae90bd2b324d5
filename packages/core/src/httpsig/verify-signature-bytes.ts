import { type KeyObject, verify } from 'node:crypto';
import { WimseError } from '../errors/wimse-error.js';
import type { SignatureAlgorithm } from '../wit/algorithms.js';
import { cryptoKeyInput } from '../wit/crypto-key-input.js';

/**
 * Step 5: verifies the signature over the base with the WIT's confirmation key and its algorithm
 * only (S16). Runs through node:crypto's callback form so the work happens on libuv's thread pool
 * instead of blocking the event loop.
 */
export function verifySignatureBytes(
  base: string,
  signature: Uint8Array,
  publicKey: KeyObject,
  algorithm: SignatureAlgorithm,
): Promise<void> {
  if (algorithm.signatureLength !== undefined && signature.byteLength !== algorithm.signatureLength) {
    return Promise.reject(new WimseError('signature_invalid', 'signature has the wrong length for cnf.jwk.alg'));
  }
  const key = cryptoKeyInput(publicKey, algorithm);
  return new Promise((resolve, reject) => {
    verify(algorithm.hash, Buffer.from(base), key, signature, (error, valid) => {
      if (error) reject(new WimseError('signature_invalid', 'signature could not be verified', { cause: error }));
      else if (!valid) reject(new WimseError('signature_invalid', 'signature does not verify with cnf.jwk'));
      else resolve();
    });
  });
}
