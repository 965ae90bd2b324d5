import type { WorkloadProof } from '../identity/workload-identity.js';
import { sunsetFor } from './deprecation-headers.js';
import { modeForCaller } from './effective-mode.js';
import type { MigrationMode } from './migration-options.js';
import type { CallerMigrationRecord } from './migration-store.js';
import type { MigrationSettings } from './normalize-migration-options.js';

/** One caller in the operator's report. Times are ISO 8601. Never a token. */
export interface CallerReport {
  readonly id: string;
  readonly mechanisms: Readonly<
    Partial<Record<WorkloadProof, { readonly count: number; readonly firstSeen: string; readonly lastSeen: string }>>
  >;
  readonly routes: readonly string[];
  /** Whether the caller has proven possession with a WIT (the ratchet is set). */
  readonly migrated: boolean;
  readonly ratchetedAt?: string | undefined;
  /** From when its bearer tokens are refused on `either` routes (ratchet plus grace). */
  readonly bearerRefusedFrom?: string | undefined;
  /** Its mode on a route without a route setting (the global mode, or its rule's). */
  readonly mode: MigrationMode;
  readonly sunset?: string | undefined;
}

/** What the migration store knows: which callers still use bearer tokens, on which routes, and since when (the report an operator reads before tightening a mode). */
export interface MigrationReport {
  readonly generatedAt: string;
  /** Callers still seen with bearer tokens, first. */
  readonly callers: readonly CallerReport[];
  readonly totals: { readonly callers: number; readonly migrated: number; readonly usingBearer: number };
}

/** Builds the report from the store's records (bounded by the store's capacity). */
export function buildMigrationReport(
  records: readonly CallerMigrationRecord[],
  settings: MigrationSettings,
  nowMs: number,
): MigrationReport {
  const callers = records.map((record): CallerReport => {
    const mechanisms: Record<string, { count: number; firstSeen: string; lastSeen: string }> = {};
    for (const [proof, use] of Object.entries(record.mechanisms)) {
      if (use) mechanisms[proof] = { count: use.count, firstSeen: iso(use.firstSeenMs), lastSeen: iso(use.lastSeenMs) };
    }
    const ratcheted = record.ratchetedAtMs;
    const sunset = sunsetFor(settings, record.id);
    return {
      id: record.id,
      mechanisms,
      routes: [...record.routes],
      migrated: ratcheted !== undefined,
      ...(ratcheted === undefined ? {} : { ratchetedAt: iso(ratcheted) }),
      ...(ratcheted === undefined || settings.ratchetGraceMs === undefined
        ? {}
        : { bearerRefusedFrom: iso(ratcheted + settings.ratchetGraceMs) }),
      mode: modeForCaller(settings, {}, record.id),
      ...(sunset === undefined ? {} : { sunset: iso(sunset) }),
    };
  });
  const usesBearer = (caller: CallerReport) => caller.mechanisms.bearer !== undefined;
  callers.sort((a, b) => Number(usesBearer(b)) - Number(usesBearer(a)) || a.id.localeCompare(b.id));
  return {
    generatedAt: iso(nowMs),
    callers,
    totals: {
      callers: callers.length,
      migrated: callers.filter((caller) => caller.migrated).length,
      usingBearer: callers.filter(usesBearer).length,
    },
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
