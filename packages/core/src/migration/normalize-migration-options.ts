import {
  boundedInteger,
  describeValue,
  expectKnownKeys,
  expectObject,
  oneOf,
  optionError,
} from '../base/options/option-checks.js';
import { type BearerVerifier, createBearerVerifier } from '../bearer/create-bearer-verifier.js';
import { parseWorkloadId } from '../identifier/parse-workload-id.js';
import { pathPrefixMatcher } from '../policy/path-prefix-matcher.js';
import { MemoryMigrationStore } from './memory-migration-store.js';
import {
  type CallerMigrationRule,
  isMigrationMode,
  type MigrationMode,
  type MigrationOptions,
  migrationModes,
  type RouteMigration,
} from './migration-options.js';
import type { MigrationStore } from './migration-store.js';

/** One per-caller rule, validated. */
export interface CallerRule {
  readonly matches: (id: string) => boolean;
  readonly mode: MigrationMode | undefined;
  readonly sunsetMs: number | undefined;
}

/** The migration options after validation. */
export interface MigrationSettings {
  readonly bearer: BearerVerifier;
  readonly mode: MigrationMode;
  readonly callers: readonly CallerRule[];
  readonly store: MigrationStore;
  readonly storeTimeoutMs: number;
  /** Undefined: no ratchet. */
  readonly ratchetGraceMs: number | undefined;
  readonly sunsetMs: number | undefined;
  readonly deprecatedAtMs: number;
  readonly guideUrl: string | undefined;
  readonly subjectMismatch: 'refuse' | 'report';
  readonly realm: string | undefined;
  readonly metricWorkloads: ReadonlySet<string>;
}

const KNOWN_OPTIONS = new Set([
  'bearer',
  'mode',
  'callers',
  'store',
  'storeTimeoutMs',
  'ratchet',
  'sunset',
  'deprecatedAt',
  'guideUrl',
  'subjectMismatch',
  'realm',
  'metricWorkloads',
]);

const MODE_RULE = "one of 'bearer-only', 'shadow', 'either', 'wit-required'";

/** Validates the guard's `migration` option once; a TypeError names the option path. */
export function normalizeMigrationOptions(
  value: MigrationOptions,
  now: () => number,
  where = 'createWorkloadGuard: migration',
): MigrationSettings {
  const nowMs = now();
  expectKnownKeys(expectObject(value, where, 'an object like { bearer, mode }'), where, [...KNOWN_OPTIONS]);
  const options = value;
  const mode = options.mode ?? 'wit-required';
  if (!isMigrationMode(mode)) throw optionError(`${where}.mode`, MODE_RULE, mode);
  const store = options.store ?? new MemoryMigrationStore();
  for (const method of ['recordUse', 'get', 'list', 'reset'] as const) {
    if (typeof store?.[method] !== 'function') {
      const got = typeof store === 'object' && store !== null ? `an object without ${method}()` : describeValue(store);
      throw new TypeError(`${where}.store must be a MigrationStore (recordUse, get, list, reset), got ${got}`);
    }
  }
  let ratchetGraceMs: number | undefined;
  if (options.ratchet !== false) {
    const graceSec = options.ratchet?.graceSec ?? 0;
    if (typeof graceSec !== 'number' || !Number.isFinite(graceSec) || graceSec < 0) {
      throw optionError(`${where}.ratchet.graceSec`, '0 or more (seconds)', graceSec);
    }
    ratchetGraceMs = graceSec * 1000;
  }
  if (options.realm !== undefined && (typeof options.realm !== 'string' || /["\\\r\n]/.test(options.realm))) {
    throw optionError(`${where}.realm`, 'a string without quotes, backslashes or line breaks', options.realm);
  }
  return {
    bearer: createBearerVerifier(options.bearer, `${where}.bearer`, now),
    mode,
    callers: checkList(options.callers, `${where}.callers`).map((rule, i) =>
      callerRule(rule, `${where}.callers[${i}]`),
    ),
    store,
    storeTimeoutMs: boundedInteger(options.storeTimeoutMs, 500, 1, 60_000, `${where}.storeTimeoutMs`),
    ratchetGraceMs,
    sunsetMs: instant(options.sunset, `${where}.sunset`),
    deprecatedAtMs: instant(options.deprecatedAt, `${where}.deprecatedAt`) ?? Math.floor(nowMs / 1000) * 1000,
    guideUrl: guideUrl(options.guideUrl, `${where}.guideUrl`),
    subjectMismatch: oneOf(options.subjectMismatch, ['refuse', 'report'], `${where}.subjectMismatch`) ?? 'refuse',
    realm: options.realm,
    metricWorkloads: new Set(
      (options.metricWorkloads ?? []).map((id, i) => canonical(id, `${where}.metricWorkloads[${i}]`)),
    ),
  };
}

/** Validates a route's migration setting (adapters call it when a route is registered). */
export function normalizeRouteMigration(
  value: MigrationMode | RouteMigration | undefined,
  where: string,
): RouteMigration {
  if (value === undefined) return {};
  const setting = typeof value === 'string' ? { mode: value } : value;
  if (typeof setting !== 'object' || setting === null) throw optionError(where, 'a mode or { mode, floor }', value);
  expectKnownKeys(setting as unknown as Record<string, unknown>, where, ['mode', 'floor']);
  if (setting.mode !== undefined && !isMigrationMode(setting.mode)) {
    throw optionError(`${where}.mode`, MODE_RULE, setting.mode);
  }
  if (setting.floor !== undefined && !isMigrationMode(setting.floor)) {
    throw optionError(`${where}.floor`, MODE_RULE, setting.floor);
  }
  // The floor bounds every mode on the route, its own included: a mode below it would never apply.
  if (
    setting.mode !== undefined &&
    setting.floor !== undefined &&
    migrationModes.indexOf(setting.mode) < migrationModes.indexOf(setting.floor)
  ) {
    throw new TypeError(
      `${where}: mode ${setting.mode} is below floor ${setting.floor}, and the floor bounds the route's own ` +
        `mode as well as per-caller settings, so ${setting.mode} would never apply: ` +
        `set { mode: '${setting.floor}' }, or lower the floor`,
    );
  }
  return setting;
}

function callerRule(value: CallerMigrationRule, where: string): CallerRule {
  expectKnownKeys(expectObject(value, where, 'an object like { workloads, mode }'), where, [
    'workloads',
    'pathPrefix',
    'mode',
    'sunset',
  ]);
  const rule = value;
  const hasWorkloads = rule.workloads !== undefined;
  if (hasWorkloads === (rule.pathPrefix !== undefined)) {
    throw optionError(where, 'a rule with exactly one of workloads or pathPrefix', rule);
  }
  if (rule.mode !== undefined && !isMigrationMode(rule.mode)) throw optionError(`${where}.mode`, MODE_RULE, rule.mode);
  if (rule.mode === undefined && rule.sunset === undefined)
    throw optionError(where, 'a rule with mode or sunset', rule);
  let matches: (id: string) => boolean;
  if (hasWorkloads) {
    const ids = new Set(
      checkList(rule.workloads, `${where}.workloads`).map((id, i) => canonical(id, `${where}.workloads[${i}]`)),
    );
    matches = (id) => ids.has(id);
  } else {
    matches = pathPrefixMatcher(rule.pathPrefix as string, `${where}.pathPrefix`);
  }
  return { matches, mode: rule.mode, sunsetMs: instant(rule.sunset, `${where}.sunset`) };
}

function checkList<T>(value: readonly T[] | undefined, where: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0) throw optionError(where, 'a non-empty array', value);
  return value;
}

function canonical(id: unknown, where: string): string {
  try {
    return parseWorkloadId(id).id;
  } catch (error) {
    throw optionError(where, `a canonical workload identifier (${(error as Error).message})`, id);
  }
}

function instant(value: Date | string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw optionError(where, 'a Date or an ISO 8601 date string', value);
  return ms;
}

function guideUrl(value: string | undefined, where: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:')
    throw optionError(where, 'an absolute http(s) URL', value);
  return url.href;
}
