/** Option checks shared by this package's factories (a TypeError naming the field). */

export function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer`);
  return value;
}

export function checkKeyPrefix(value: string | undefined, fallback: string, where: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length > 128 || /[\s\u0000-\u001f]/.test(value)) {
    throw new TypeError(`${where}: keyPrefix must be a string of at most 128 visible characters`);
  }
  return value;
}
