/** One piece of per-request state, kept on the request object itself. */
export interface RequestSlot<T> {
  /** The value kept on this request, if any. */
  get(request: object): T | undefined;
  /** Keeps a value on this request. */
  set(request: object, value: T): void;
}

/**
 * Per-request state under a private symbol on the request. A WeakMap entry per request costs
 * ~0.6 µs, mostly in the garbage collector (ephemeron tables), against ~20 ns for a property
 * (bench/results/verify-request.md); the symbol is this slot's own, so no other code reads or writes it
 * by accident.
 */
export function requestSlot<T>(description: string): RequestSlot<T> {
  const key = Symbol(description);
  return {
    get: (request) => (request as { [key]?: T })[key],
    set: (request, value) => {
      (request as { [key]?: T })[key] = value;
    },
  };
}
