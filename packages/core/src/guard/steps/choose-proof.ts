import type { WorkloadRequest } from '../../base/fields/workload-request.js';
import type { WorkloadProof } from '../../identity/workload-identity.js';
import type { HopTrust } from '../../request/hop-trust.js';
import { presentsWimse } from '../../request/presented-credentials.js';
import { type ReceivedRequest, receiveRequest } from '../../request/received-request.js';
import { attemptedProof } from './attempted-proof.js';
import { checkPlainHttp, type PlainHttpPeers } from './plain-http-peers.js';

export interface ProofChoice {
  /** The request prepared once: fields indexed, what it carries decided. */
  readonly request: ReceivedRequest;
  /** The proof the audit names until (and unless) another one decides. */
  readonly proof: WorkloadProof | 'none';
}

export interface ProofChoiceOptions {
  readonly request: WorkloadRequest;
  readonly readBody: (() => Promise<Uint8Array | undefined>) | undefined;
  readonly hops: HopTrust;
  readonly plainHttp: PlainHttpPeers;
  /** Whether `Authorization: Bearer` is a credential here (a guard with a migration). */
  readonly bearerIsCredential: boolean;
}

/**
 * Step 1: the request is prepared once and what it carries is decided before anything is verified;
 * credentials that crossed a plain-HTTP hop no one declared trusted are refused here (threat O3).
 * Throws a WimseError for such a hop; `onProof` learns the proof first, so the refusal names it.
 */
export function chooseProof(
  options: ProofChoiceOptions,
  onProof: (proof: WorkloadProof | 'none') => void,
): ProofChoice {
  const request = receiveRequest(options.request, options.hops, options.readBody);
  const { presented } = request;
  const proof = attemptedProof(presented, options.bearerIsCredential);
  onProof(proof);
  if (presentsWimse(presented) || (options.bearerIsCredential && presented.bearer)) {
    checkPlainHttp(request, options.plainHttp);
  }
  return { request, proof };
}
