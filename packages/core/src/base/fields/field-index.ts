import type { HeaderValue } from './workload-request.js';

const INDEXED: unique symbol = Symbol('wimse-pep.field-index');

/**
 * The prototype of every index: it holds only the brand, and has no prototype itself, so a field
 * named `constructor` or `__proto__` is a field like any other. The brand is inherited, not copied:
 * a spread copy of an index is no longer one. (An own symbol on each index cost a microsecond.)
 */
const INDEX_PROTOTYPE: object = Object.create(null, { [INDEXED]: { value: true } });

/**
 * The field lines of one message by lower-cased name, collected in one pass so that each later
 * lookup is one property read instead of a scan of every header. It is a header record itself
 * (lower-case names, one entry per field line), so every function that takes headers takes it.
 */
export type FieldIndex = Readonly<Record<string, readonly string[]>> & { readonly [INDEXED]: true };

export function isFieldIndex(headers: object): headers is FieldIndex {
  return (headers as { [INDEXED]?: true })[INDEXED] === true;
}

/**
 * Indexes a header record (names in any case, a string or one string per field line); an index
 * is returned as it is. Names that differ only in case are merged, lines in record order.
 */
export function indexFields(headers: Readonly<Record<string, HeaderValue>>): FieldIndex {
  if (isFieldIndex(headers)) return headers;
  const index: Record<string, readonly string[]> = Object.create(INDEX_PROTOTYPE);
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const lines = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(lines)) throw new TypeError(`header ${key} must be a string or an array of strings`);
    const earlier = index[key];
    // Node's own arrays (headersDistinct) are used as they are: the verifier never writes to them.
    index[key] = earlier === undefined ? lines : [...earlier, ...lines];
  }
  return index as FieldIndex;
}

/**
 * Indexes Node's `rawHeaders` (name, value, name, value, ...: every field line as received) in one
 * pass: what `headersDistinct` holds, without building that object first.
 */
export function indexRawHeaders(rawHeaders: readonly string[]): FieldIndex {
  const index: Record<string, readonly string[]> = Object.create(INDEX_PROTOTYPE);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const lines = index[key] as string[] | undefined;
    if (lines === undefined) index[key] = [value];
    else lines.push(value);
  }
  return index as FieldIndex;
}
