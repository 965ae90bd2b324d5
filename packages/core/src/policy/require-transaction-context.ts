import type { WorkloadRequest } from '../base/fields/workload-request.js';
import { expectFunction } from '../base/options/option-checks.js';
import type { TransactionContext } from '../identity/transaction-context.js';
import type { WorkloadIdentity } from '../identity/workload-identity.js';
import type { WorkloadPolicy } from './types.js';

/** A rule over the verified transaction context (`tctx`, `rctx`, `sub`, ...) of a request. */
export type TransactionPredicate = (
  context: TransactionContext,
  identity: WorkloadIdentity,
  request: WorkloadRequest,
) => boolean | Promise<boolean>;

/**
 * Allows requests whose verified Transaction Token satisfies `predicate` (only `true` allows), e.g.
 * `requireTransactionContext(({ tctx }) => tctx?.action === 'refund')`. A request without a
 * Txn-Token is denied.
 */
export function requireTransactionContext(predicate: TransactionPredicate): WorkloadPolicy {
  expectFunction(predicate, 'requireTransactionContext: predicate');
  return (identity, request) => {
    const context = identity.transaction;
    return context === undefined ? false : predicate(context, identity, request);
  };
}
