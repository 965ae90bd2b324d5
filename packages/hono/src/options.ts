/** The options `wimse()` adds to the guard's. */
export interface HonoBodyOptions {
  /** Largest body buffered for the Content-Digest check, in bytes (default 1 MiB); larger is 413 `body_too_large`. */
  readonly bodyLimit?: number;
  /** How long to wait for the body once it is needed, in ms (default 30 000); then 408 `body_timeout`. */
  readonly bodyTimeoutMs?: number;
}

export interface BodySettings {
  readonly limit: number;
  readonly timeoutMs: number;
}

const MAX = 2 ** 31 - 1;

/** Checked once, at construction, with the core's message shape. */
export function bodySettings(options: HonoBodyOptions): BodySettings {
  return {
    limit: integer(options.bodyLimit, 1024 * 1024, 'wimse: bodyLimit', ' (bytes)'),
    timeoutMs: integer(options.bodyTimeoutMs, 30_000, 'wimse: bodyTimeoutMs', ' (ms)'),
  };
}

function integer(value: unknown, fallback: number, field: string, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX) {
    const got = typeof value === 'number' ? String(value) : typeof value;
    throw new TypeError(`${field} must be an integer from 1 to ${MAX}${unit}, got ${got}`);
  }
  return value;
}
