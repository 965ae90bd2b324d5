import { optionError } from '../base/options/option-checks.js';
import type { ProtectionMode, WorkloadGuard } from '../guard/guard-options.js';
import { isProtectionMode } from '../guard/guard-options.js';
import type { MigrationMode, RouteMigration } from '../migration/migration-options.js';
import { isMigrationMode } from '../migration/migration-options.js';
import type { WorkloadPolicy } from '../policy/types.js';

/** What one route asks of the guard: its protection and its migration setting. */
export interface RouteSetting {
  readonly protection: ProtectionMode;
  readonly migration: RouteMigration | undefined;
}

/**
 * A route's `withMode(mode, migration)` (Express, Koa), checked once when the route is added: a
 * protection mode, or a migration mode (which means `required` with that migration mode).
 */
export function routeSetting(
  guard: WorkloadGuard,
  mode: ProtectionMode | MigrationMode,
  migration?: RouteMigration,
): RouteSetting {
  const protection = isMigrationMode(mode) ? 'required' : mode;
  if (!isProtectionMode(protection)) {
    throw optionError('withMode: mode', 'one of required, optional, off, or a migration mode', mode);
  }
  const setting = isMigrationMode(mode) ? { ...migration, mode } : migration;
  guard.checkRouteMigration(setting, 'withMode migration');
  return { protection, migration: setting };
}

/** A route's configuration as an object (Fastify's `config.wimse`, NestJS decorators). */
export interface RouteConfig {
  readonly mode?: ProtectionMode;
  readonly policy?: WorkloadPolicy;
  readonly migration?: MigrationMode | RouteMigration;
}

/** Checks a route's configuration once, when the route is added; `label` names the route. */
export function checkRouteConfig(guard: WorkloadGuard, config: RouteConfig | undefined, label: string): void {
  if (config === undefined) return;
  if (typeof config !== 'object' || config === null) throw optionError(`${label}: config.wimse`, 'an object', config);
  if (config.mode !== undefined && !isProtectionMode(config.mode)) {
    throw optionError(`${label}: config.wimse.mode`, 'one of required, optional, off', config.mode);
  }
  if (config.policy !== undefined && typeof config.policy !== 'function') {
    throw optionError(`${label}: config.wimse.policy`, 'a function', config.policy);
  }
  guard.checkRouteMigration(config.migration, `${label}: config.wimse.migration`);
  if (config.policy !== undefined && (config.mode ?? guard.mode) === 'off') {
    throw optionError(
      `${label}: config.wimse.policy`,
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
