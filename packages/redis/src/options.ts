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

export function evictionCheckMode(value: unknown, where: string): 'warn' | 'refuse' | 'off' {
  if (value === undefined) return 'warn';
  if (value !== 'warn' && value !== 'refuse' && value !== 'off') {
    throw new TypeError(`${where}: evictionCheck must be 'warn', 'refuse' or 'off', got ${describe(value)}`);
  }
  return value;
}

export function warnFunction(value: unknown, where: string): (message: string) => void {
  if (value === undefined) return (message) => console.warn(message);
  if (typeof value !== 'function') throw new TypeError(`${where}: warn must be a function, got ${describe(value)}`);
  return value as (message: string) => void;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}

export interface DurabilitySetting {
  readonly replicas: number;
  readonly timeoutMs: number;
  readonly connections: number;
}

/** `durability: { replicas, timeoutMs, connections? }` checked once; undefined when off. */
export function durabilityOption(value: unknown, where: string): DurabilitySetting | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${where}: durability must be { replicas, timeoutMs }, got ${describe(value)}`);
  }
  const { replicas, timeoutMs, connections } = value as Record<string, unknown>;
  const integer = (field: unknown, name: string, max: number) => {
    if (typeof field !== 'number' || !Number.isSafeInteger(field) || field < 1 || field > max) {
      throw new TypeError(`${where}: durability.${name} must be an integer from 1 to ${max}`);
    }
    return field;
  };
  return {
    replicas: integer(replicas, 'replicas', 16),
    timeoutMs: integer(timeoutMs, 'timeoutMs', 60_000),
    connections: connections === undefined ? 4 : integer(connections, 'connections', 64),
  };
}

export function topologyCheckMode(value: unknown, where: string): 'warn' | 'off' {
  if (value === undefined) return 'warn';
  if (value !== 'warn' && value !== 'off') {
    throw new TypeError(`${where}: topologyCheck must be 'warn' or 'off', got ${describe(value)}`);
  }
  return value;
}
