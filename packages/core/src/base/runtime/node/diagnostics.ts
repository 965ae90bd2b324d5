import { channel } from 'node:diagnostics_channel';

/** A named publication point (Node's diagnostics_channel): cheap to ask whether anyone listens. */
export interface Publication<T> {
  readonly hasSubscribers: boolean;
  publish(message: T): void;
}

export function publication<T>(name: string): Publication<T> {
  return channel(name) as unknown as Publication<T>;
}
