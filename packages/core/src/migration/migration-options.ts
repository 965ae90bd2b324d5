import type { BearerOptions } from '../bearer/bearer-options.js';
import type { MigrationStore } from './migration-store.js';

/**
 * What a route (or a caller on it) accepts during a bearer-to-WIT migration, loosest first:
 * - `bearer-only`: bearer tokens only (WIMSE credentials are refused, never ignored);
 * - `shadow`: the bearer token decides; a WIT presented beside it is fully verified and its
 *   would-be outcome reported (audit, metrics), never enforced;
 * - `either`: a WIT with its proof, or a bearer token; WIMSE credentials, when present, decide;
 * - `wit-required`: WITs only (the default, and the behaviour without migration).
 */
export type MigrationMode = 'bearer-only' | 'shadow' | 'either' | 'wit-required';

/** The modes, loosest first: a floor is a position in this list. */
export const migrationModes: readonly MigrationMode[] = ['bearer-only', 'shadow', 'either', 'wit-required'];

export function isMigrationMode(value: unknown): value is MigrationMode {
  return migrationModes.includes(value as MigrationMode);
}

/** A route's migration setting: its mode, and the floor no per-caller setting goes below. */
export interface RouteMigration {
  /** Default: the guard's `migration.mode`. */
  readonly mode?: MigrationMode;
  /** Default: no floor (`bearer-only`). A sensitive route sets `wit-required`. */
  readonly floor?: MigrationMode;
}

/**
 * One per-caller setting. It names callers by exact workload identifier or by a segment-aware
 * prefix bound to one origin (the rules of `allowPathPrefix`). The first rule that matches wins.
 */
export interface CallerMigrationRule {
  readonly workloads?: readonly string[];
  readonly pathPrefix?: string;
  /** The caller's mode on every route, clamped to the route's floor. */
  readonly mode?: MigrationMode;
  /** From this instant the caller's bearer tokens are refused (`bearer_sunset`). */
  readonly sunset?: Date | string;
}

/** The bearer-to-WIT migration of a guard: how bearer tokens are verified, the default mode, per-caller modes, the ratchet and sunset. */
export interface MigrationOptions {
  /** How bearer tokens are verified and mapped to workload identifiers. */
  readonly bearer: BearerOptions;
  /** The default mode of every route (default `wit-required`). */
  readonly mode?: MigrationMode;
  /** Per-caller settings, first match wins. */
  readonly callers?: readonly CallerMigrationRule[];
  /** Migration state (ratchet and inventory); default a MemoryMigrationStore. Share it across replicas. */
  readonly store?: MigrationStore;
  /** Timeout of one store call, in ms (default 500); no answer in time is a 503. */
  readonly storeTimeoutMs?: number;
  /**
   * The ratchet: once a caller proved possession with a WIT, its bearer tokens are refused on
   * every `either` route, `graceSec` seconds later (default 0). `false` turns it off.
   */
  readonly ratchet?: false | { readonly graceSec?: number };
  /** From this instant bearer tokens are refused (`bearer_sunset`), unless a caller rule says otherwise. */
  readonly sunset?: Date | string;
  /** The `Deprecation` date sent on bearer-authenticated responses (default: when the guard was created). */
  readonly deprecatedAt?: Date | string;
  /** The migration guide, linked from bearer-authenticated responses (`rel="deprecation"`, `rel="sunset"`). */
  readonly guideUrl?: string;
  /** Dual send: a bearer token naming another workload than the WIT is refused (default) or only reported. */
  readonly subjectMismatch?: 'refuse' | 'report';
  /** The `realm` of WWW-Authenticate challenges (default none). */
  readonly realm?: string;
  /** Metric attributes carry the caller id only for these workloads (a bounded set); others are `other`. */
  readonly metricWorkloads?: readonly string[];
}
