import { constants, type KeyObject, sign } from 'node:crypto';
import type { SignatureAlgorithm } from '../wit/algorithms.js';

/** Signs a signature base with the workload key, in the JWS byte format of the algorithm. */
export function signBytes(base: string, privateKey: KeyObject, algorithm: SignatureAlgorithm): Promise<Buffer> {
  const key = algorithm.pss
    ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : algorithm.dsaEncoding
      ? { key: privateKey, dsaEncoding: algorithm.dsaEncoding }
      : privateKey;
  return new Promise((resolve, reject) => {
    sign(algorithm.hash, Buffer.from(base), key, (error, signature) => (error ? reject(error) : resolve(signature)));
  });
}
