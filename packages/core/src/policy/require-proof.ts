import { oneOf, optionError } from '../base/options/option-checks.js';
import { proofOfPossession, type WorkloadProof, workloadProofs } from '../identity/workload-identity.js';
import type { WorkloadPolicy } from './types.js';

/** Allows only callers that proved who they are with one of these proofs. */
export function requireProof(...proofs: WorkloadProof[]): WorkloadPolicy {
  if (proofs.length === 0) throw optionError('requireProof: proofs', 'at least one proof', proofs);
  for (const [i, proof] of proofs.entries()) oneOf(proof, workloadProofs, `requireProof: proofs[${i}]`);
  const allowed = new Set(proofs);
  return (identity) => allowed.has(identity.proof);
}

/** Allows only callers that proved possession of a key (never a bearer token), whatever the route's mode. */
export function requireProofOfPossession(): WorkloadPolicy {
  return requireProof(...proofOfPossession);
}
