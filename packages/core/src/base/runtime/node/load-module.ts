import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/** A CommonJS module, loaded the first time it is needed (not at start-up). */
export function requireModule<T>(name: string): T {
  return requireFromHere(name) as T;
}

/** An optional peer when it is installed, else undefined. */
export function optionalModule<T>(name: string): T | undefined {
  try {
    return requireFromHere(name) as T;
  } catch {
    return undefined;
  }
}
