import { optionError } from '../base/options/option-checks.js';
import type { ProtectionMode, WorkloadGuard } from '../guard/guard-options.js';
import { isProtectionMode } from '../guard/guard-options.js';
import type { MigrationMode, RouteMigration } from '../migration/migration-options.js';
import { isMigrationMode } from '../migration/migration-options.js';
import type { WorkloadPolicy } from '../policy/types.js';
import type { TransactionTokenRequirement, UnboundTransactionToken } from '../txn/transaction-token-options.js';

/** What one route asks of the guard: its protection, its migration and its Txn-Token settings. */
export interface RouteSetting {
  readonly protection: ProtectionMode;
  readonly migration: MigrationMode | RouteMigration | undefined;
  readonly transactionToken: TransactionTokenRequirement | undefined;
  readonly unboundTransactionToken: UnboundTransactionToken | undefined;
}

/** A route's configuration as an object (Fastify's `config.wimse`, NestJS decorators, `withMode({...})`). */
export interface RouteConfig {
  readonly mode?: ProtectionMode;
  readonly policy?: WorkloadPolicy;
  readonly migration?: MigrationMode | RouteMigration;
  /** Whether the route requires a Txn-Token (guard option `transactionTokens`). */
  readonly transactionToken?: TransactionTokenRequirement;
  /** A Txn-Token its caller's proof cannot bind (mTLS, bearer): `refuse` (default) or `accept`. */
  readonly unboundTransactionToken?: UnboundTransactionToken;
}

/**
 * A route's `withMode(...)` (Express, Koa), checked once when the route is added: a protection
 * mode, or a migration mode (which means `required` with that migration mode), with an optional
 * migration setting; or the route's settings as an object (`withMode({ transactionToken:
 * 'required' })`), a policy excepted.
 */
export function routeSetting(
  guard: WorkloadGuard,
  mode: ProtectionMode | MigrationMode | Omit<RouteConfig, 'policy'>,
  migration?: RouteMigration,
): RouteSetting {
  if (typeof mode === 'object' && mode !== null) {
    if (migration !== undefined) throw optionError('withMode: migration', 'absent beside a settings object', migration);
    const { policy } = mode as RouteConfig;
    if (policy !== undefined) {
      throw optionError('withMode: settings.policy', 'absent (use requireWorkload(policy) on the route)', policy);
    }
    checkRouteConfig(guard, mode, 'withMode', 'settings');
    return {
      protection: mode.mode ?? guard.mode,
      migration: mode.migration,
      transactionToken: mode.transactionToken,
      unboundTransactionToken: mode.unboundTransactionToken,
    };
  }
  const protection = isMigrationMode(mode) ? 'required' : mode;
  if (!isProtectionMode(protection)) {
    throw optionError('withMode: mode', 'one of required, optional, off, or a migration mode', mode);
  }
  const setting = isMigrationMode(mode) ? { ...migration, mode } : migration;
  guard.checkRouteMigration(setting, 'withMode migration');
  return { protection, migration: setting, transactionToken: undefined, unboundTransactionToken: undefined };
}

/**
 * Checks a route's configuration once, when the route is added; `label` names the route and
 * `field` the configuration object in messages (`config.wimse` for Fastify).
 */
export function checkRouteConfig(
  guard: WorkloadGuard,
  config: RouteConfig | undefined,
  label: string,
  field = 'config.wimse',
): void {
  if (config === undefined) return;
  const where = `${label}: ${field}`;
  if (typeof config !== 'object' || config === null) throw optionError(where, 'an object', config);
  if (config.mode !== undefined && !isProtectionMode(config.mode)) {
    throw optionError(`${where}.mode`, 'one of required, optional, off', config.mode);
  }
  if (config.policy !== undefined && typeof config.policy !== 'function') {
    throw optionError(`${where}.policy`, 'a function', config.policy);
  }
  guard.checkRouteMigration(config.migration, `${where}.migration`);
  guard.checkRouteTransactionToken(config, where);
  if (config.policy !== undefined && (config.mode ?? guard.mode) === 'off') {
    throw optionError(
      `${where}.policy`,
      'absent on a route with mode off (it would deny every request)',
      config.policy,
    );
  }
}

/** The path of a request target, for a route label when the framework knows no pattern. */
export function pathOf(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}
