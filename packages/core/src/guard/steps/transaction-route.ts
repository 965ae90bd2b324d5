import { oneOf, optionError } from '../../base/options/option-checks.js';
import type { TransactionTokenVerifier } from '../../txn/create-transaction-token-verifier.js';
import type { TransactionTokenRequirement, UnboundTransactionToken } from '../../txn/transaction-token-options.js';
import type { ProtectionMode, RouteContext } from '../guard-options.js';

const REQUIREMENTS: readonly TransactionTokenRequirement[] = ['required', 'optional'];
const UNBOUND: readonly UnboundTransactionToken[] = ['refuse', 'accept'];

/** A route's Transaction Token settings, with the guard's defaults applied. */
export interface TransactionRoute {
  readonly requirement: TransactionTokenRequirement;
  readonly unbound: UnboundTransactionToken;
}

/**
 * Checks a route's `transactionToken` and `unboundTransactionToken` (a TypeError naming `where`):
 * known values, on a guard that reads Txn-Tokens, and no requirement on a route that is `off`.
 */
export function checkTransactionRoute(
  route: Omit<RouteContext, 'route'>,
  where: string,
  transactions: TransactionTokenVerifier | undefined,
  guardMode: ProtectionMode,
): void {
  const requirement = oneOf(route.transactionToken, REQUIREMENTS, `${where}.transactionToken`);
  const unbound = oneOf(route.unboundTransactionToken, UNBOUND, `${where}.unboundTransactionToken`);
  if ((requirement !== undefined || unbound !== undefined) && transactions === undefined) {
    throw optionError(
      `${where}.transactionToken`,
      'absent on a guard without the transactionTokens option (nothing would verify the token)',
      route.transactionToken ?? route.unboundTransactionToken,
    );
  }
  if (requirement === 'required' && (route.mode ?? guardMode) === 'off') {
    throw optionError(`${where}.transactionToken`, "not 'required' on a route with mode off", requirement);
  }
}

/**
 * The settings that apply to one request's route, or undefined on a guard that reads no Txn-Tokens
 * (checked at registration; a route built by hand is checked here, a TypeError).
 */
export function transactionRoute(
  route: RouteContext,
  transactions: TransactionTokenVerifier | undefined,
): TransactionRoute | undefined {
  if (transactions === undefined) {
    if (route.transactionToken !== undefined || route.unboundTransactionToken !== undefined) {
      throw new TypeError('route Txn-Token settings need a guard with the transactionTokens option');
    }
    return undefined;
  }
  const requirement = route.transactionToken ?? (transactions.required ? 'required' : 'optional');
  const unbound = route.unboundTransactionToken ?? 'refuse';
  if (!REQUIREMENTS.includes(requirement))
    throw new TypeError("route transactionToken must be 'required' or 'optional'");
  if (!UNBOUND.includes(unbound)) throw new TypeError("route unboundTransactionToken must be 'refuse' or 'accept'");
  return { requirement, unbound };
}
