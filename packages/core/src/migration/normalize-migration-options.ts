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

/** Validates the guard's `migration` option once; a TypeError names the field. */
export function normalizeMigrationOptions(options: MigrationOptions, now: () => number): MigrationSettings {
  const nowMs = now();
  const where = 'migration';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} must be an object`);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`${where}: unknown option ${key}`);
  }
  const mode = options.mode ?? 'wit-required';
  if (!isMigrationMode(mode))
    throw new TypeError(`${where}.mode must be one of bearer-only, shadow, either, wit-required`);
  const store = options.store ?? new MemoryMigrationStore();
  for (const method of ['recordUse', 'get', 'list', 'reset'] as const) {
    if (typeof store?.[method] !== 'function') throw new TypeError(`${where}.store needs ${method}()`);
  }
  const storeTimeoutMs = options.storeTimeoutMs ?? 500;
  if (!Number.isSafeInteger(storeTimeoutMs) || storeTimeoutMs < 1 || storeTimeoutMs > 60_000) {
    throw new TypeError(`${where}.storeTimeoutMs must be an integer from 1 to 60000`);
  }
  let ratchetGraceMs: number | undefined;
  if (options.ratchet !== false) {
    const graceSec = options.ratchet?.graceSec ?? 0;
    if (!Number.isFinite(graceSec) || graceSec < 0) throw new TypeError(`${where}.ratchet.graceSec must be 0 or more`);
    ratchetGraceMs = graceSec * 1000;
  }
  const subjectMismatch = options.subjectMismatch ?? 'refuse';
  if (subjectMismatch !== 'refuse' && subjectMismatch !== 'report') {
    throw new TypeError(`${where}.subjectMismatch must be 'refuse' or 'report'`);
  }
  if (options.realm !== undefined && (typeof options.realm !== 'string' || /["\\\r\n]/.test(options.realm))) {
    throw new TypeError(`${where}.realm must be a string without quotes, backslashes or line breaks`);
  }
  return {
    bearer: createBearerVerifier(options.bearer, `${where}.bearer`, now),
    mode,
    callers: checkList(options.callers, `${where}.callers`).map((rule, i) =>
      callerRule(rule, `${where}.callers[${i}]`),
    ),
    store,
    storeTimeoutMs,
    ratchetGraceMs,
    sunsetMs: instant(options.sunset, `${where}.sunset`),
    deprecatedAtMs: instant(options.deprecatedAt, `${where}.deprecatedAt`) ?? Math.floor(nowMs / 1000) * 1000,
    guideUrl: guideUrl(options.guideUrl, `${where}.guideUrl`),
    subjectMismatch,
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
  if (typeof setting !== 'object' || setting === null)
    throw new TypeError(`${where} must be a mode or { mode, floor }`);
  for (const key of Object.keys(setting)) {
    if (key !== 'mode' && key !== 'floor') throw new TypeError(`${where}: unknown option ${key}`);
  }
  if (setting.mode !== undefined && !isMigrationMode(setting.mode)) {
    throw new TypeError(`${where}.mode must be one of bearer-only, shadow, either, wit-required`);
  }
  if (setting.floor !== undefined && !isMigrationMode(setting.floor)) {
    throw new TypeError(`${where}.floor must be one of bearer-only, shadow, either, wit-required`);
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

function callerRule(rule: CallerMigrationRule, where: string): CallerRule {
  if (typeof rule !== 'object' || rule === null) throw new TypeError(`${where} must be an object`);
  for (const key of Object.keys(rule)) {
    if (!['workloads', 'pathPrefix', 'mode', 'sunset'].includes(key))
      throw new TypeError(`${where}: unknown option ${key}`);
  }
  const hasWorkloads = rule.workloads !== undefined;
  const hasPrefix = rule.pathPrefix !== undefined;
  if (hasWorkloads === hasPrefix) throw new TypeError(`${where} needs exactly one of workloads or pathPrefix`);
  if (rule.mode !== undefined && !isMigrationMode(rule.mode)) {
    throw new TypeError(`${where}.mode must be one of bearer-only, shadow, either, wit-required`);
  }
  if (rule.mode === undefined && rule.sunset === undefined) throw new TypeError(`${where} needs mode or sunset`);
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
  if (!Array.isArray(value)) throw new TypeError(`${where} must be an array`);
  if (value.length === 0) throw new TypeError(`${where} must not be empty`);
  return value;
}

function canonical(id: unknown, where: string): string {
  try {
    return parseWorkloadId(id).id;
  } catch (error) {
    throw new TypeError(
      `${where}: ${JSON.stringify(id)} is not a canonical workload identifier (${(error as Error).message})`,
    );
  }
}

function instant(value: Date | string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`${where} must be a Date or an ISO 8601 date string`);
  return ms;
}

function guideUrl(value: string | undefined, where: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${where} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${where} must be an http(s) URL`);
  return url.href;
}
