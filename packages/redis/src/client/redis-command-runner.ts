import { setMaxListeners } from 'node:events';
import { WimseError } from '@wimse-pep/core';

/**
 * The user's own Redis client, recognised by shape (this package imports neither library):
 * node-redis v5+ (`createClient`, `createCluster`) or ioredis (`Redis`, `Cluster`). Valkey
 * speaks the same protocol.
 */
export type RedisClientLike = NodeRedisClientLike | NodeRedisClusterLike | IoRedisClientLike;

export interface NodeRedisClientLike {
  readonly isReady: boolean;
  sendCommand(args: string[], options?: NodeRedisCommandOptions): Promise<unknown>;
}

export interface NodeRedisClusterLike {
  readonly isReady: boolean;
  readonly masters: readonly unknown[];
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: NodeRedisCommandOptions,
  ): Promise<unknown>;
}

/**
 * `timeout: 0` turns off node-redis 6's own per-command timer (5 s by default, an AbortSignal per
 * command): the runner bounds every command itself, and that timer was a tenth of the store's CPU.
 */
export interface NodeRedisCommandOptions {
  abortSignal?: AbortSignal;
  timeout?: number;
}

export interface IoRedisClientLike {
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** Sends one command (routed by `key` on a cluster) and settles within the runner's timeout. */
export interface RedisCommandRunner {
  run(args: readonly string[], key: string | undefined, what: string): Promise<unknown>;
  /** Whether the client is connected (or connects on its first command), so `run` would send. */
  ready(): boolean;
}

export interface RunnerOptions {
  /** Longest wait for one command, in ms. */
  readonly timeoutMs: number;
  /** Retry-After (seconds) on the 503 sent when Redis cannot answer. */
  readonly retryAfterSec: number;
}

type Send = (args: readonly string[], key: string | undefined, signal: AbortSignal | undefined) => Promise<unknown>;

/**
 * Wraps a node-redis or ioredis client so that every command fails closed in bounded time: a
 * client that is not connected is refused at once (nothing piles up in its offline queue while
 * Redis is down), and a command that errs or has not answered after `timeoutMs` is a 503
 * `unavailable` with Retry-After. The client reconnects by itself; the next command after it is
 * ready goes through, so recovery needs no restart.
 */
export function createCommandRunner(client: unknown, options: RunnerOptions): RedisCommandRunner {
  const { send, ready, takesSignal } = adapt(client);
  // Every command in flight listens to it: no listener limit.
  const sharedSignal = () => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  };
  let pending = sharedSignal();
  const retryAfter = { 'retry-after': String(options.retryAfterSec) };
  const unavailable = (message: string, cause?: unknown) =>
    new WimseError('unavailable', message, { cause, headers: retryAfter });

  return {
    ready,
    // One promise and one timer per command, and no AbortController of its own: this is every
    // request's path, and a signal per command was a tenth of the store's CPU time (profiled).
    // `send` is called synchronously, so commands keep the order of the calls.
    run(args, key, what) {
      if (!ready()) return Promise.reject(unavailable(`redis is not connected (${what})`));
      return new Promise((resolve, reject) => {
        const abort = takesSignal ? pending : undefined;
        let settled = false;
        // setImmediate: a reply that arrived while this process was busy is read (poll phase)
        // before the timeout is declared, so the timeout measures Redis, not our own event loop.
        const timer = setTimeout(
          () =>
            setImmediate(() => {
              if (settled) return;
              settled = true;
              // node-redis drops the commands of an aborted signal that are not written yet (Redis
              // is not reading them): all of them share one signal, renewed after each timeout.
              if (abort && abort === pending) {
                pending = sharedSignal();
                abort.abort();
              }
              reject(unavailable(`redis did not answer within ${options.timeoutMs} ms (${what})`));
            }),
          options.timeoutMs,
        );
        let sent: Promise<unknown>;
        try {
          sent = send(args, key, abort?.signal);
        } catch (cause) {
          settled = true;
          clearTimeout(timer);
          reject(unavailable(`redis refused the command (${what})`, cause));
          return;
        }
        // A late answer after the timeout has nowhere to go: it is dropped here.
        sent.then(
          (reply) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(reply);
          },
          (cause: unknown) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            reject(
              cause instanceof WimseError ? cause : unavailable(`redis failed (${what}): ${describe(cause)}`, cause),
            );
          },
        );
      });
    },
  };
}

function adapt(client: unknown): { send: Send; ready: () => boolean; takesSignal: boolean } {
  const candidate = client as Partial<NodeRedisClientLike & NodeRedisClusterLike & IoRedisClientLike> | null;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new TypeError('client must be a connected node-redis (v5+) or ioredis client');
  }
  if (typeof candidate.call === 'function' && typeof candidate.status === 'string') {
    const io = candidate as IoRedisClientLike;
    // `wait` is ioredis's lazyConnect state: the first command connects.
    return {
      send: (args) => io.call(args[0] as string, ...args.slice(1)),
      ready: () => io.status === 'ready' || io.status === 'wait',
      // ioredis takes no abort signal: a late reply is dropped by the runner.
      takesSignal: false,
    };
  }
  if (typeof candidate.sendCommand === 'function' && typeof candidate.isReady === 'boolean') {
    if (Array.isArray(candidate.masters)) {
      const cluster = candidate as NodeRedisClusterLike;
      return {
        send: (args, key, abortSignal) => cluster.sendCommand(key, false, [...args], { abortSignal, timeout: 0 }),
        ready: () => cluster.isReady,
        takesSignal: true,
      };
    }
    const single = candidate as NodeRedisClientLike;
    return {
      send: (args, _key, abortSignal) => single.sendCommand([...args], { abortSignal, timeout: 0 }),
      ready: () => single.isReady,
      takesSignal: true,
    };
  }
  throw new TypeError(
    'client must be a node-redis (v5+) or ioredis client (neither sendCommand/isReady nor call/status)',
  );
}

/** An error's class and message, never its arguments (a command's arguments are never logged). */
function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 200);
  return 'unknown error';
}
