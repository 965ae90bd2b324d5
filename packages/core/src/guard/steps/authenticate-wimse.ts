import { presentsWimse } from '../../request/presented-credentials.js';
import type { ReceivedRequest } from '../../request/received-request.js';
import type { WorkloadVerifier } from '../../verifier/create-verifier.js';
import { acceptedCredentials, askForCredentials, missingCredentials } from './accepted-credentials.js';
import { attemptedProof } from './attempted-proof.js';
import { type Authentication, settle } from './authentication.js';
import { type SimultaneousCredentials, verifyPresentedCredentials } from './verify-presented-credentials.js';

export interface WimseAuthentication {
  readonly request: ReceivedRequest;
  readonly verifier: WorkloadVerifier;
  readonly optional: boolean;
  readonly simultaneous: SimultaneousCredentials;
}

/**
 * Step 2 on a guard without a migration: every WIMSE credential the request presents is verified;
 * a request that presents none is let through on an optional route, else refused by the 400/401
 * rule (what the route accepts, said in the refusal).
 */
export async function authenticateWimse(input: WimseAuthentication): Promise<Authentication> {
  const { request, verifier } = input;
  const proof = attemptedProof(request.presented, false);
  if (!presentsWimse(request.presented)) {
    if (input.optional) return { identity: undefined, proof };
    const accepted = acceptedCredentials(verifier, undefined, {});
    return { error: missingCredentials(accepted, askForCredentials(accepted, request, verifier)), proof };
  }
  const outcome = await settle(verifyPresentedCredentials({ verifier, request, simultaneous: input.simultaneous }));
  return outcome.error
    ? { error: outcome.error, proof }
    : { identity: outcome.identity, proof: outcome.identity.proof };
}
