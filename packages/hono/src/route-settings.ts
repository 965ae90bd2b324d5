import {
  isProtectionMode,
  type MigrationMode,
  type ProtectionMode,
  type RouteMigration,
  type TransactionTokenRequirement,
  type UnboundTransactionToken,
  type WorkloadGuard,
  type WorkloadPolicy,
} from '@wimse-pep/core';

/** One route's settings: `pep.withMode('optional')` or `pep.withMode({ mode, policy, migration, ... })`. */
export interface RouteSettings {
  readonly mode?: ProtectionMode;
  /** The route's policy, run once the caller is authenticated (403 `policy_denied`). */
  readonly policy?: WorkloadPolicy;
  readonly migration?: MigrationMode | RouteMigration;
  readonly transactionToken?: TransactionTokenRequirement;
  readonly unboundTransactionToken?: UnboundTransactionToken;
}

/** Checks a route's settings once, when the route is added (a TypeError in the core's message shape). */
export function routeSettings(guard: WorkloadGuard, input: ProtectionMode | RouteSettings): RouteSettings {
  if (typeof input === 'string') input = { mode: input };
  const where = 'withMode: settings';
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(`${where} must be a protection mode or an object, got ${typeof input}`);
  }
  if (input.mode !== undefined && !isProtectionMode(input.mode)) {
    throw new TypeError(`${where}.mode must be one of required, optional, off, got ${String(input.mode)}`);
  }
  if (input.policy !== undefined && typeof input.policy !== 'function') {
    throw new TypeError(`${where}.policy must be a function, got ${typeof input.policy}`);
  }
  if (input.policy !== undefined && (input.mode ?? guard.mode) === 'off') {
    throw new TypeError(`${where}.policy must be absent on a route with mode off (it would deny every request)`);
  }
  guard.checkRouteMigration(input.migration, `${where}.migration`);
  guard.checkRouteTransactionToken(input, where);
  return input;
}
