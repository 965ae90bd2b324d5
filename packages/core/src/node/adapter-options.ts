import { boundedInteger, expectOptionalBoolean } from '../base/options/option-checks.js';
import { DEFAULT_BODY_TIMEOUT_MS } from './body-errors.js';

/** The options every Node adapter adds to the guard's. */
export interface NodeAdapterOptions {
  /** Largest body buffered for the Content-Digest check, in bytes; larger is 413 `body_too_large`. */
  readonly bodyLimit?: number;
  /** How long to wait for the body once it is needed, in ms (default 30 000); then 408 `body_timeout`. */
  readonly bodyTimeoutMs?: number;
}

export interface BodySettings {
  readonly limit: number;
  readonly timeoutMs: number;
}

/** Default `bodyLimit` of the adapters that buffer the body themselves (1 MiB). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const MAX_BODY = 2 ** 31 - 1;

/** Validates an adapter's body options once, at construction; `factory` names it in messages. */
export function bodySettings(
  options: NodeAdapterOptions,
  factory: string,
  defaultLimit = DEFAULT_BODY_LIMIT,
): BodySettings {
  return {
    limit: boundedInteger(options.bodyLimit, defaultLimit, 1, MAX_BODY, `${factory}: bodyLimit`, ' (bytes)'),
    timeoutMs: boundedInteger(
      options.bodyTimeoutMs,
      DEFAULT_BODY_TIMEOUT_MS,
      1,
      MAX_BODY,
      `${factory}: bodyTimeoutMs`,
      ' (ms)',
    ),
  };
}

/** An optional boolean adapter option (`passErrors`), checked once. */
export function booleanOption(value: unknown, field: string): boolean {
  return expectOptionalBoolean(value, field) === true;
}
