import { type KeyObject, verify } from 'node:crypto';
import { WimseError } from '../errors/wimse-error.js';
import type { SignatureAlgorithm } from '../wit/algorithms.js';
import { cryptoKeyInput } from '../wit/crypto-key-input.js';

/**
 * Where the request signature is checked. `inline`: node:crypto's synchronous verify on the event
 * loop. `thread-pool`: its callback form, on libuv's thread pool. One P-256 or Ed25519 check takes
 * tens of microseconds, about what the hop to the pool and back costs in CPU: measured in
 * bench/results/, inline serves more requests per CPU second, so it is the default. The pool
 * only pays off for slow algorithms (RSA 4096) on a machine with idle cores.
 */
export type SignatureVerification = 'inline' | 'thread-pool';
export const SIGNATURE_VERIFICATION_MODES: readonly SignatureVerification[] = ['inline', 'thread-pool'];

/** Step 5: verifies the signature over the base with the WIT's confirmation key and its algorithm only (S16). */
export function verifySignatureBytes(
  base: string,
  signature: Uint8Array,
  publicKey: KeyObject,
  algorithm: SignatureAlgorithm,
  mode: SignatureVerification = 'inline',
): Promise<void> {
  if (algorithm.signatureLength !== undefined && signature.byteLength !== algorithm.signatureLength) {
    return Promise.reject(new WimseError('signature_invalid', 'signature has the wrong length for cnf.jwk.alg'));
  }
  const key = cryptoKeyInput(publicKey, algorithm);
  if (mode === 'inline') {
    let valid: boolean;
    try {
      valid = verify(algorithm.hash, Buffer.from(base), key, signature);
    } catch (error) {
      return Promise.reject(new WimseError('signature_invalid', 'signature could not be verified', { cause: error }));
    }
    return valid
      ? Promise.resolve()
      : Promise.reject(new WimseError('signature_invalid', 'signature does not verify with cnf.jwk'));
  }
  return new Promise((resolve, reject) => {
    verify(algorithm.hash, Buffer.from(base), key, signature, (error, valid) => {
      if (error) reject(new WimseError('signature_invalid', 'signature could not be verified', { cause: error }));
      else if (!valid) reject(new WimseError('signature_invalid', 'signature does not verify with cnf.jwk'));
      else resolve();
    });
  });
}
