import { proofOfPossession, type WorkloadProof, workloadProofs } from '../identity/workload-identity.js';
import type { WorkloadPolicy } from './types.js';

/** Allows only callers that proved who they are with one of these proofs. */
export function requireProof(...proofs: WorkloadProof[]): WorkloadPolicy {
  if (proofs.length === 0) throw new TypeError('requireProof needs at least one proof');
  for (const proof of proofs) {
    if (!workloadProofs.includes(proof)) throw new TypeError(`requireProof: ${JSON.stringify(proof)} is not a proof`);
  }
  const allowed = new Set(proofs);
  return (identity) => allowed.has(identity.proof);
}

/** Allows only callers that proved possession of a key (never a bearer token), whatever the route's mode. */
export function requireProofOfPossession(): WorkloadPolicy {
  return requireProof(...proofOfPossession);
}
