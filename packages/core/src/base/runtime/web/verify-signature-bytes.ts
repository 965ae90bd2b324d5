import type { SignatureAlgorithm } from '../../algorithms/signature-algorithms.js';
import { WimseError } from '../../errors/wimse-error.js';
import { cryptoKeyFor, operationAlgorithm, type WebRuntimeKey } from './web-key.js';

/**
 * Where the request signature is checked. Kept for the options' sake: Web Crypto is asynchronous
 * whatever the mode, and the runtime decides where it runs.
 */
export type SignatureVerification = 'inline' | 'thread-pool';
export const SIGNATURE_VERIFICATION_MODES: readonly SignatureVerification[] = ['inline', 'thread-pool'];

const encoder = new TextEncoder();

/** Web Crypto's verify: resolves whether `signature` verifies over `data`, rejects when the check could not run. */
export async function verifyInMode(
  data: Uint8Array,
  signature: Uint8Array,
  publicKey: WebRuntimeKey,
  algorithm: SignatureAlgorithm,
  _mode: SignatureVerification,
): Promise<boolean> {
  const key = await cryptoKeyFor(publicKey, algorithm);
  return crypto.subtle.verify(operationAlgorithm(algorithm), key, signature, data);
}

/** Step 5: verifies the signature over the base with the WIT's confirmation key and its algorithm only (S16). */
export async function verifySignatureBytes(
  base: string,
  signature: Uint8Array,
  publicKey: WebRuntimeKey,
  algorithm: SignatureAlgorithm,
  mode: SignatureVerification = 'thread-pool',
): Promise<void> {
  if (algorithm.signatureLength !== undefined && signature.byteLength !== algorithm.signatureLength) {
    throw new WimseError('signature_invalid', 'signature has the wrong length for cnf.jwk.alg');
  }
  let valid: boolean;
  try {
    valid = await verifyInMode(encoder.encode(base), signature, publicKey, algorithm, mode);
  } catch (error) {
    throw new WimseError('signature_invalid', 'signature could not be verified', { cause: error });
  }
  if (!valid) throw new WimseError('signature_invalid', 'signature does not verify with cnf.jwk');
}
