import { WimseError } from '../../base/errors/wimse-error.js';
import type { WorkloadRequest } from '../../base/fields/workload-request.js';
import type { TransactionContext } from '../../identity/transaction-context.js';
import type { WorkloadIdentity } from '../../identity/workload-identity.js';
import type { TransactionTokenVerifier } from '../../txn/create-transaction-token-verifier.js';
import type { TransactionTokenRequirement, UnboundTransactionToken } from '../../txn/transaction-token-options.js';
import type { Authentication } from './authentication.js';
import { asWimseError } from './authorize.js';
import type { TransactionRoute } from './transaction-route.js';

export interface TransactionStepInput {
  readonly request: WorkloadRequest;
  /** The authenticated caller; undefined on an optional route the request passed without credentials. */
  readonly identity: WorkloadIdentity | undefined;
  readonly requirement: TransactionTokenRequirement;
  readonly unbound: UnboundTransactionToken;
  readonly transactions: TransactionTokenVerifier;
}

/**
 * Step 4: the request's Txn-Token, verified once its caller is authenticated, and bound to that
 * caller's proof: an HTTP signature covers `txn-token`, a WPT's `tth` matches it (the proof stages
 * refuse a mismatch; checked again here so that no other path attaches an unbound context). A
 * binding failure keeps the rules of the proof that should have bound it. Resolves the identity
 * with its `transaction`, or as it was when the request carries no token.
 */
export async function attachTransactionContext(input: TransactionStepInput): Promise<WorkloadIdentity | undefined> {
  const { identity, transactions } = input;
  const token = transactions.read(input.request.headers);
  if (token === undefined) {
    if (input.requirement === 'required') {
      throw new WimseError('txn_token_missing', 'this route requires a Txn-Token');
    }
    return identity;
  }
  // An anonymous request (an optional route, no credentials) has no proof to bind a token to.
  if (identity === undefined) {
    if (input.requirement === 'required') {
      throw new WimseError('txn_token_unbound', 'a Txn-Token needs an authenticated caller whose proof binds it');
    }
    return identity;
  }
  const bound = proofBindsToken(identity);
  if (!bound && input.unbound === 'refuse') {
    throw new WimseError(
      'txn_token_unbound',
      `a caller authenticated by ${identity.proof} cannot bind a Txn-Token (use an HTTP signature or a WPT)`,
    );
  }
  const verified = await transactions.verify(token, identity.id);
  const transaction: TransactionContext = Object.assign({ bound }, verified);
  return Object.assign({}, identity, { transaction });
}

/**
 * Whether the caller's application-layer proof binds the Txn-Token: false for mTLS alone and
 * bearer tokens; a signature or WPT that does not bind it is refused as that proof's failure.
 */
function proofBindsToken(identity: WorkloadIdentity): boolean {
  const proof =
    identity.proof === 'http-signature' || identity.proof === 'wpt' ? identity : identity.layered?.application;
  if (proof === undefined) return false;
  if (proof.proof === 'http-signature') {
    if (!proof.coveredComponents.includes('"txn-token"')) {
      throw new WimseError('signature_profile', 'signature does not cover "txn-token"');
    }
    return true;
  }
  if (!proof.boundTokens.includes('txn-token')) {
    throw new WimseError('wpt_binding_mismatch', 'the request carries Txn-Token but the WPT has no tth');
  }
  return true;
}

/**
 * Step 4 as the guard runs it: the authentication outcome with its caller's Txn-Token context, or
 * the refusal naming that caller (so that its audit event says who sent the token).
 */
export async function withTransactionContext(
  outcome: Authentication,
  request: WorkloadRequest,
  verifier: TransactionTokenVerifier,
  route: TransactionRoute,
): Promise<Authentication> {
  const { proof, migrationMode } = outcome;
  try {
    const identity = await attachTransactionContext({
      request,
      identity: outcome.identity,
      transactions: verifier,
      requirement: route.requirement,
      unbound: route.unbound,
    });
    return { identity, proof, migrationMode };
  } catch (error) {
    return { error: asWimseError(error), caller: outcome.identity, proof, migrationMode };
  }
}
