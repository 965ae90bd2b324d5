/** A named publication point; off Node there is no diagnostics channel, so nobody ever listens. */
export interface Publication<T> {
  readonly hasSubscribers: boolean;
  publish(message: T): void;
}

/** Without node:diagnostics_channel decisions reach the audit sink and metrics only. */
export function publication<T>(_name: string): Publication<T> {
  return { hasSubscribers: false, publish() {} };
}
