import { refreshingBearer } from './refreshing-bearer.js';
import { staticBearer } from './static-bearer.js';

/**
 * Where a caller's bearer token comes from (an OAuth access token, a JWT-SVID): `getBearer` is
 * called before every request and resolves the token to send, without the `Bearer ` scheme.
 */
export interface BearerSource {
  getBearer(): Promise<string>;
}

/** A function that obtains a fresh bearer token, e.g. from a token endpoint or a workload API. */
export type BearerCallback = () => Promise<string> | string;

/**
 * The `bearer` option: a fixed token, a callback that is called again before the token expires,
 * or any source (`refreshingBearer(...)`, your own).
 */
export type BearerOption = string | BearerCallback | BearerSource;

export function isBearerSource(value: unknown): value is BearerSource {
  return (
    typeof value === 'object' && value !== null && typeof (value as { getBearer?: unknown }).getBearer === 'function'
  );
}

/** Turns the `bearer` option into a source; a fixed token is checked now (TypeError when unusable). */
export function toBearerSource(option: BearerOption, now?: () => number): BearerSource {
  if (typeof option === 'string') return staticBearer(option, now === undefined ? {} : { now });
  if (typeof option === 'function') return refreshingBearer(option, now === undefined ? {} : { now });
  if (isBearerSource(option)) return option;
  throw new TypeError('bearer must be a token string, a function returning one, or a source with getBearer()');
}
