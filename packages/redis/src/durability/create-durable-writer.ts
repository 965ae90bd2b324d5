import { WimseError } from '@wimse-pep/core';
import { createCommandRunner, type RedisCommandRunner } from '../client/redis-command-runner.js';
import { type DedicatedConnection, dedicatedConnectionSource } from './dedicated-connections.js';

/** How many replicas must hold a write before it counts, and how long to wait for them. */
export interface RedisDurability {
  /** Replicas that must acknowledge each write (`WAIT <replicas>`), at least 1. */
  readonly replicas: number;
  /** Longest wait for them, in ms (`WAIT ... <timeoutMs>`); then the request is refused (503). */
  readonly timeoutMs: number;
  /** Connections of the store's own per primary for these writes (default 4). */
  readonly connections?: number;
}

export interface DurableWriterOptions {
  readonly durability: Required<RedisDurability>;
  /** The store's own timeout for one command, in ms: the write's bound is this plus the WAIT's. */
  readonly timeoutMs: number;
  readonly retryAfterSec: number;
  /** The store, as named in refusals. */
  readonly store: string;
  /**
   * Whether the user's client is connected: its connections follow it, so a client that is
   * offline or closed opens none (and durable writes are refused, 503, as its own commands are).
   */
  readonly clientReady: () => boolean;
}

export interface DurableWriter {
  /**
   * Sends the write `args` of `key` and `WAIT` right behind it, on a connection of the store's own
   * to the key's node; resolves with the write's reply once enough replicas acknowledged it. A
   * reply for which `changed` is false (nothing written: a replay) needs no acknowledgement.
   */
  write(args: readonly string[], key: string, what: string, changed: (reply: unknown) => boolean): Promise<unknown>;
  /** Closes the store's own connections (also done when the user's client closes); later writes open new ones. */
  close(): void;
}

interface Pooled {
  readonly runner: RedisCommandRunner;
  readonly connection: DedicatedConnection;
}

interface PoolEntry {
  readonly opening: Promise<Pooled>;
  opened?: Pooled;
}

/**
 * Durable writes: a small pool of dedicated connections per primary (opened on first use, with
 * the user's client options), each write followed by `WAIT replicas timeoutMs` on the same
 * connection. Fewer acknowledgements in time, an error, or no connection is a 503 `unavailable`
 * (fail closed: the write may have landed on the primary, and the request is refused anyway).
 * On a cluster a `MOVED` or `ASK` reply (resharding) is followed, at most twice.
 */
export function createDurableWriter(client: unknown, options: DurableWriterOptions): DurableWriter {
  const { replicas, timeoutMs: waitMs, connections } = options.durability;
  const source = dedicatedConnectionSource(client);
  const pools = new Map<string, { slots: (PoolEntry | undefined)[]; next: number }>();
  const retryAfter = { 'retry-after': String(options.retryAfterSec) };
  const unavailable = (message: string, cause?: unknown) =>
    new WimseError('unavailable', `${options.store}: ${message}`, { cause, headers: retryAfter });

  const open = (address: string | undefined): Promise<Pooled> => {
    let connection: DedicatedConnection;
    try {
      connection = source.open(address);
    } catch (cause) {
      return Promise.reject(unavailable(`no connection for durable writes (${describe(cause)})`, cause));
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(unavailable(`no connection for durable writes within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
    });
    return Promise.race([connection.ready, timeout])
      .then(() => ({
        connection,
        runner: createCommandRunner(connection.client, {
          timeoutMs: options.timeoutMs + waitMs,
          retryAfterSec: options.retryAfterSec,
        }),
      }))
      .catch((cause: unknown) => {
        connection.close();
        throw cause instanceof WimseError ? cause : unavailable(`no connection for durable writes`, cause);
      })
      .finally(() => clearTimeout(timer));
  };

  // Round robin over the pool of the node. A connection that failed to open, or that is closed
  // for good (its client gave up reconnecting), is opened again at its next turn.
  const connectionTo = (address: string | undefined): Promise<Pooled> => {
    const name = address ?? '';
    let pool = pools.get(name);
    if (!pool) {
      pool = { slots: new Array(connections).fill(undefined), next: 0 };
      pools.set(name, pool);
    }
    const index = pool.next++ % connections;
    const slots = pool.slots;
    const current = slots[index];
    if (current && !current.opened?.connection.closed()) return current.opening;
    const entry: PoolEntry = { opening: open(address) };
    slots[index] = entry;
    entry.opening.then(
      (pooled) => {
        entry.opened = pooled;
      },
      () => {
        if (slots[index] === entry) slots[index] = undefined;
      },
    );
    return entry.opening;
  };

  const attempt = async (
    address: string | undefined,
    args: readonly string[],
    asking: boolean,
    what: string,
    changed: (reply: unknown) => boolean,
  ): Promise<unknown> => {
    const { runner } = await connectionTo(address);
    // Sent back to back on one connection, so WAIT counts this write (and the ones before it).
    const asked = asking ? runner.run(['ASKING'], undefined, what) : undefined;
    const written = runner.run(args, undefined, what);
    const waited = runner.run(['WAIT', String(replicas), String(waitMs)], undefined, `${what} WAIT`);
    asked?.catch(() => {});
    waited.catch(() => {});
    const reply = await written;
    if (!changed(reply)) return reply;
    const acknowledged = Number(await waited);
    if (!(acknowledged >= replicas)) {
      throw unavailable(
        `the write was acknowledged by ${Number.isFinite(acknowledged) ? acknowledged : 0} of ${replicas} replicas within ${waitMs} ms (durability)`,
      );
    }
    return reply;
  };

  const close = () => {
    const all = [...pools.values()].flatMap((pool) => pool.slots);
    pools.clear();
    for (const entry of all) entry?.opening.then(({ connection }) => connection.close()).catch(() => {});
  };
  source.onClosed(close);

  return {
    close,
    async write(args, key, what, changed) {
      if (!options.clientReady()) throw unavailable(`redis is not connected (${what})`);
      let address: string | undefined;
      try {
        address = source.ownerOf(key);
      } catch (cause) {
        throw unavailable(describe(cause), cause);
      }
      let asking = false;
      for (let redirects = 0; ; redirects++) {
        try {
          return await attempt(address, args, asking, what, changed);
        } catch (error) {
          const redirect = redirectOf(error);
          if (!redirect || redirects >= 2) throw error;
          address = redirect.address;
          asking = redirect.ask;
        }
      }
    },
  };
}

/** `MOVED <slot> <host:port>` or `ASK <slot> <host:port>`, from the cause of a refused command. */
function redirectOf(error: unknown): { address: string; ask: boolean } | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  const match = cause instanceof Error ? /^(MOVED|ASK) \d+ (\S+:\d+)$/.exec(cause.message) : null;
  return match ? { address: match[2] as string, ask: match[1] === 'ASK' } : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
}
