import { type KeyObject, sign } from 'node:crypto';
import type { SignatureAlgorithm } from '../../algorithms/signature-algorithms.js';
import { cryptoKeyInput } from './crypto-key-input.js';

/** Signs a signature base with the workload key, in the JWS byte format of the algorithm. */
export function signBytes(base: string, privateKey: KeyObject, algorithm: SignatureAlgorithm): Promise<Uint8Array> {
  const key = cryptoKeyInput(privateKey, algorithm);
  return new Promise((resolve, reject) => {
    sign(algorithm.hash, Buffer.from(base), key, (error, signature) => (error ? reject(error) : resolve(signature)));
  });
}
