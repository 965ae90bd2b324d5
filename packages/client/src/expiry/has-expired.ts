/** Something that stops being worth sending at a known time, such as a WIT or a JWT bearer token. */
export interface ExpiringValue {
  /** Seconds since the epoch; undefined when it cannot be known (an opaque bearer token). */
  readonly expiresAt: number | undefined;
  /** Seconds since the epoch, when the value says when it was issued. */
  readonly issuedAt: number | undefined;
}

/** Whether the value is known to have expired at `nowMs` (one without a known expiry never is). */
export function hasExpired(value: ExpiringValue, nowMs: number): boolean {
  return value.expiresAt !== undefined && value.expiresAt * 1000 <= nowMs;
}
