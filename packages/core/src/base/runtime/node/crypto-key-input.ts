import { constants, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from '../../algorithms/signature-algorithms.js';

/**
 * The key argument node:crypto's sign/verify need for a JWS algorithm: PSS padding for PS*, raw
 * r‖s (IEEE P1363) for ECDSA, the bare key otherwise. Shared by signing and verifying so the
 * two can never disagree on the byte format.
 */
export function cryptoKeyInput(key: KeyObject, algorithm: SignatureAlgorithm) {
  if (algorithm.pss)
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  if (algorithm.dsaEncoding) return { key, dsaEncoding: algorithm.dsaEncoding };
  return key;
}
