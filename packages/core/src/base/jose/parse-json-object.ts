/**
 * Strict UTF-8: invalid sequences are an error, and a leading byte order mark is kept (so JSON.parse
 * refuses it) rather than dropped as JOSE decoders do: a token has one spelling (threat W9).
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A JOSE header or JWT claims set from its decoded bytes: strict UTF-8, JSON, and a plain
 * top-level object (not an array, not null). Undefined when any of these fails; the caller names
 * the error.
 */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}
