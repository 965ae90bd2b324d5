import { type KeyObject, verify } from 'node:crypto';
import type { SignatureAlgorithm } from '../../algorithms/signature-algorithms.js';
import { WimseError } from '../../errors/wimse-error.js';
import { cryptoKeyInput } from './crypto-key-input.js';

/**
 * Where the request signature is checked. `thread-pool` (default): node:crypto's callback form, on
 * libuv's thread pool, off the event loop. `inline`: its synchronous form on the event loop. Measured
 * (bench/results/verify-request.md): one request at a time, inline costs ~25% less CPU (no hop); under
 * concurrent load in a server, the pool served more requests per second with no more CPU per
 * request (bench/results/load.md), so it is the default. `inline` suits a process that
 * verifies one request at a time (latency) or has no spare core.
 */
export type SignatureVerification = 'inline' | 'thread-pool';
export const SIGNATURE_VERIFICATION_MODES: readonly SignatureVerification[] = ['inline', 'thread-pool'];

/**
 * node:crypto's verify in the chosen mode, for every signature the verifier checks (request, WIT,
 * WPT): resolves whether `signature` verifies over `data`, rejects when the check could not run.
 */
export function verifyInMode(
  data: Uint8Array,
  signature: Uint8Array,
  publicKey: KeyObject,
  algorithm: SignatureAlgorithm,
  mode: SignatureVerification,
): Promise<boolean> {
  const key = cryptoKeyInput(publicKey, algorithm);
  if (mode === 'inline') {
    try {
      return Promise.resolve(verify(algorithm.hash, data, key, signature));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) => {
    verify(algorithm.hash, data, key, signature, (error, valid) => (error ? reject(error) : resolve(valid)));
  });
}

/** Step 5: verifies the signature over the base with the WIT's confirmation key and its algorithm only (S16). */
export async function verifySignatureBytes(
  base: string,
  signature: Uint8Array,
  publicKey: KeyObject,
  algorithm: SignatureAlgorithm,
  mode: SignatureVerification = 'thread-pool',
): Promise<void> {
  if (algorithm.signatureLength !== undefined && signature.byteLength !== algorithm.signatureLength) {
    throw new WimseError('signature_invalid', 'signature has the wrong length for cnf.jwk.alg');
  }
  let valid: boolean;
  try {
    valid = await verifyInMode(Buffer.from(base), signature, publicKey, algorithm, mode);
  } catch (error) {
    throw new WimseError('signature_invalid', 'signature could not be verified', { cause: error });
  }
  if (!valid) throw new WimseError('signature_invalid', 'signature does not verify with cnf.jwk');
}
