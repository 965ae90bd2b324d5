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
