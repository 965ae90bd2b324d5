/**
 * Shape checks for configuration, run once at construction. Each throws a TypeError that names
 * the field, the expected shape and what was given (its type, never its value when it could be a
 * secret), so a wrong configuration fails at start-up with a message that says how to fix it.
 */

/** A short description of what was given: its type, with short strings and numbers shown. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return value.length <= 60 ? `the string ${JSON.stringify(value)}` : 'a long string';
    case 'number':
      return `the number ${value}`;
    case 'object':
      return 'an object';
    case 'undefined':
      return 'undefined';
    default:
      return `a ${typeof value}`;
  }
}

export function optionError(field: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${field} must be ${expected}, got ${describeValue(value)}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, field: string, expected: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw optionError(field, expected, value);
  return value;
}

/**
 * Refuses members a configuration object does not define (a typo would otherwise be ignored).
 * `field` is the object's path, or the factory's name for its top-level options.
 */
export function expectKnownKeys(value: Record<string, unknown>, field: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const path = field.includes(':') ? `${field}.${key}` : `${field}: ${key}`;
    throw optionError(path, `absent (the options are ${known.join(', ')})`, value[key]);
  }
}

export function expectNonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw optionError(field, 'a non-empty string', value);
  return value;
}

export function expectOptionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw optionError(field, 'true or false', value);
  return value;
}

export function expectStringList(value: unknown, field: string, expected = 'a non-empty array of strings'): string[] {
  if (!Array.isArray(value) || value.length === 0) throw optionError(field, expected, value);
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw optionError(`${field}[${i}]`, 'a string', item);
  });
  return [...value] as string[];
}

export function expectOptionalFunction<T extends (...args: never[]) => unknown>(
  value: unknown,
  field: string,
  expected: string,
): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw optionError(field, expected, value);
  return value as T | undefined;
}

/** An integer option within bounds, or its default when absent. */
export function boundedInteger(
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  field: string,
  unit = '',
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw optionError(field, `an integer from ${min} to ${max}${unit}`, value);
  }
  return value;
}

/** An optional option that, when given, is one of `allowed`. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value !== undefined && !allowed.includes(value as T)) {
    throw optionError(field, `one of ${allowed.map((item) => `'${item}'`).join(', ')}`, value);
  }
  return value as T | undefined;
}

/** A finite number above zero, or its default when absent. */
export function positiveNumber(value: unknown, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw optionError(field, 'a positive number', value);
  }
  return value;
}

/** An integer of at least 1 (a size, a count, milliseconds), or its default when absent. */
export function positiveInteger(value: unknown, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw optionError(field, 'a positive integer', value);
  }
  return value;
}

/** A function option, required. */
export function expectFunction<T>(value: unknown, field: string, expected = 'a function'): T {
  if (typeof value !== 'function') throw optionError(field, expected, value);
  return value as T;
}
