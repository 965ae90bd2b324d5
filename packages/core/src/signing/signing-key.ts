import { decodeJwt } from 'jose';
import { importPrivateKey, type RuntimeJwk, type RuntimeKey } from '../base/runtime/keys.js';
import { type SignatureAlgorithm, signatureAlgorithms } from '../base/runtime/signature-algorithms.js';

/** A workload's WIT and the private key matching its `cnf.jwk`. */
export interface WorkloadCredentials {
  /** The caller's Workload Identity Token. */
  readonly wit: string;
  /** The private key matching the WIT's `cnf.jwk`: a key object or a private JWK. */
  readonly privateKey: RuntimeKey | RuntimeJwk;
  /**
   * The signing algorithm; default the WIT's `cnf.jwk.alg`, the only one a verifier accepts.
   * Setting another is useful only to test that verifiers refuse it.
   */
  readonly alg?: string;
}

/** Credentials checked and imported once: the WIT, its algorithm and the private key, ready to sign. */
export interface SigningKey {
  readonly wit: string;
  readonly alg: string;
  readonly algorithm: SignatureAlgorithm;
  readonly privateKey: RuntimeKey;
}

/** Resolves the signing algorithm from the WIT's `cnf.jwk.alg`: the only one a verifier accepts. */
export function resolveSigningKey(credentials: WorkloadCredentials): SigningKey {
  const claims = decodeJwt(credentials.wit);
  const cnf = claims.cnf as { jwk?: { alg?: unknown } } | undefined;
  const alg = credentials.alg ?? cnf?.jwk?.alg;
  if (typeof alg !== 'string' || !Object.hasOwn(signatureAlgorithms, alg)) {
    throw new TypeError('the WIT has no usable cnf.jwk.alg');
  }
  const privateKey = importPrivateKey(credentials.privateKey);
  return { wit: credentials.wit, alg, algorithm: signatureAlgorithms[alg] as SignatureAlgorithm, privateKey };
}
