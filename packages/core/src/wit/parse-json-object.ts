/** UTF-8 decoding as JOSE parsers do it: invalid sequences are an error, a leading BOM is dropped. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

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
