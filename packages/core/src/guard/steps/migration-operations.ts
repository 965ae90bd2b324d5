import type { WorkloadIdentity } from '../../identity/workload-identity.js';
import { boundedStoreCall } from '../../migration/bounded-store-call.js';
import { deprecationHeaders } from '../../migration/deprecation-headers.js';
import type { MigrationMode, RouteMigration } from '../../migration/migration-options.js';
import { buildMigrationReport, type MigrationReport } from '../../migration/migration-report.js';
import { type MigrationSettings, normalizeRouteMigration } from '../../migration/normalize-migration-options.js';

export interface MigrationOperations {
  responseHeaders(identity: WorkloadIdentity | undefined): Readonly<Record<string, string>>;
  checkRouteMigration(value: unknown, where: string): void;
  migrationReport(): Promise<MigrationReport>;
  resetMigration(id?: string): Promise<void>;
}

/**
 * What a guard offers around its migration: the deadline headers of bearer callers, route settings
 * checked at registration, and the operator's inventory and reset. Without a migration the
 * operations refuse, and a route that asks for a migration setting is a configuration error.
 */
export function migrationOperations(migration: MigrationSettings | undefined, now: () => number): MigrationOperations {
  const needed = (what: string): MigrationSettings => {
    if (!migration) throw new TypeError(`${what} needs the guard's migration option`);
    return migration;
  };
  return {
    responseHeaders(identity) {
      if (!migration || identity?.proof !== 'bearer') return {};
      return deprecationHeaders(migration, identity);
    },
    checkRouteMigration(value, where) {
      if (value !== undefined && !migration) {
        throw new TypeError(`${where}: a route migration setting needs the guard's migration option`);
      }
      normalizeRouteMigration(value as MigrationMode | RouteMigration | undefined, where);
    },
    async migrationReport() {
      const settings = needed('migrationReport');
      const records = await boundedStoreCall(() => settings.store.list(), settings.storeTimeoutMs, 'list');
      return buildMigrationReport(records, settings, now());
    },
    async resetMigration(id) {
      const settings = needed('resetMigration');
      await boundedStoreCall(() => settings.store.reset(id), settings.storeTimeoutMs, 'reset');
    },
  };
}
