import type { SignatureAlgorithm } from '../../algorithms/signature-algorithms.js';
import { cryptoKeyFor, operationAlgorithm, type WebRuntimeKey } from './web-key.js';

const encoder = new TextEncoder();

/** Signs a signature base with the workload key, in the JWS byte format (Web Crypto's ECDSA is r‖s already). */
export async function signBytes(
  base: string,
  privateKey: WebRuntimeKey,
  algorithm: SignatureAlgorithm,
): Promise<Uint8Array> {
  const key = await cryptoKeyFor(privateKey, algorithm);
  return new Uint8Array(await crypto.subtle.sign(operationAlgorithm(algorithm), key, encoder.encode(base)));
}
