import { type MigrationMode, migrationModes, type RouteMigration } from './migration-options.js';
import type { CallerRule, MigrationSettings } from './normalize-migration-options.js';

const strictness = (mode: MigrationMode): number => migrationModes.indexOf(mode);

/** The first per-caller rule naming `id`, if any. */
export function ruleFor(settings: MigrationSettings, id: string): CallerRule | undefined {
  return settings.callers.find((rule) => rule.matches(id));
}

/** The route's own mode, clamped to its floor. */
export function routeMode(settings: MigrationSettings, route: RouteMigration): MigrationMode {
  return atLeast(route.mode ?? settings.mode, route.floor);
}

/**
 * The mode for one authenticated caller on one route: its per-caller mode when a rule sets one,
 * else the route's; never below the route's floor.
 */
export function modeForCaller(settings: MigrationSettings, route: RouteMigration, id: string): MigrationMode {
  return atLeast(ruleFor(settings, id)?.mode ?? route.mode ?? settings.mode, route.floor);
}

/**
 * Whether some caller could be allowed a bearer token on this route: decided before anyone is
 * authenticated, and revalidated for the actual caller after (workload-creds §5.3).
 */
export function bearerPossible(settings: MigrationSettings, route: RouteMigration): boolean {
  return possibleModes(settings, route).some((mode) => mode !== 'wit-required');
}

/** Whether some caller could be in `shadow` on this route. */
export function shadowPossible(settings: MigrationSettings, route: RouteMigration): boolean {
  return possibleModes(settings, route).some((mode) => mode === 'shadow');
}

/** Whether a WIT alone could authenticate some caller on this route (`either` or `wit-required`). */
export function wimsePossible(settings: MigrationSettings, route: RouteMigration): boolean {
  return possibleModes(settings, route).some((mode) => mode === 'either' || mode === 'wit-required');
}

/** Every mode a caller can have on this route: the route's own, and each per-caller rule's. */
function possibleModes(settings: MigrationSettings, route: RouteMigration): MigrationMode[] {
  const modes = [route.mode ?? settings.mode, ...settings.callers.flatMap((rule) => (rule.mode ? [rule.mode] : []))];
  return modes.map((mode) => atLeast(mode, route.floor));
}

function atLeast(mode: MigrationMode, floor: MigrationMode | undefined): MigrationMode {
  return floor !== undefined && strictness(floor) > strictness(mode) ? floor : mode;
}
