import { keySlot } from '../cluster/key-slot.js';

/** A connection of the store's own to one Redis node, ready to send. */
export interface DedicatedConnection {
  /** The single-node client (node-redis or ioredis), for a command runner. */
  readonly client: unknown;
  /** Settles once it is connected (or failed to); the caller bounds the wait and closes on failure. */
  readonly ready: Promise<void>;
  /** True once it is closed for good (closed, or its client gave up reconnecting): open another. */
  closed(): boolean;
  close(): void;
}

/**
 * Opens connections of the store's own next to the user's client, with the user's options
 * (`duplicate()`, so TLS, auth and reconnection are theirs). `WAIT` counts only the writes of the
 * connection that sends it and holds back everything queued behind it, so durable writes cannot
 * share the user's client. On a cluster each connection goes to one node: the key's owner.
 */
export interface DedicatedConnectionSource {
  /** The `host:port` of the node that owns `key` on a cluster, as the client sees the slots; undefined on a single node. */
  ownerOf(key: string): string | undefined;
  /** A new connection, to `address` on a cluster (the owner, or a MOVED/ASK target); throws when there is no way to it. */
  open(address: string | undefined): DedicatedConnection;
  /** Calls `listener` once the user's client is closed for good (its `end`, or a node-redis cluster's `disconnect`). */
  onClosed(listener: () => void): void;
}

interface IoRedisLike {
  readonly status: string;
  readonly options: { host?: string; port?: number };
  duplicate(override?: { host: string; port: number }): IoRedisLike;
  connect(): Promise<void>;
  disconnect(): void;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}
interface IoClusterLike {
  readonly slots: readonly (readonly string[] | undefined)[];
  nodes(role: 'master'): IoRedisLike[];
}
interface NodeRedisLike {
  readonly isOpen?: boolean;
  duplicate(): NodeRedisLike;
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy?: () => void;
  disconnect?: () => Promise<void>;
}
interface NodeClusterLike {
  readonly slots: readonly ({ master?: { address?: string } } | undefined)[];
  readonly nodeByAddress: Map<string, unknown>;
  nodeClient(node: unknown): Promise<NodeRedisLike> | NodeRedisLike;
}

export function dedicatedConnectionSource(client: unknown): DedicatedConnectionSource {
  const candidate = client as Record<string, unknown>;
  const events = client as { once?: (event: string, listener: () => void) => unknown };
  const closedOn = (event: string) => (listener: () => void) => {
    if (typeof events.once === 'function') events.once(event, listener);
  };
  const isIoredis = typeof candidate.call === 'function' && typeof candidate.status === 'string';
  if (isIoredis && typeof candidate.nodes === 'function') {
    const cluster = client as IoClusterLike;
    return {
      onClosed: closedOn('end'),
      ownerOf: (key) => cluster.slots[keySlot(key)]?.[0] ?? missingOwner(key),
      open(address) {
        const { host, port } = parseAddress(address);
        const masters = cluster.nodes('master');
        const base = masters.find((node) => node.options.host === host && node.options.port === port) ?? masters[0];
        if (!base) throw new Error('the cluster client knows no primary yet');
        return openIoredis(base.duplicate({ host, port }));
      },
    };
  }
  if (isIoredis) {
    const single = client as IoRedisLike;
    return { onClosed: closedOn('end'), ownerOf: () => undefined, open: () => openIoredis(single.duplicate()) };
  }
  if (Array.isArray(candidate.masters)) {
    const cluster = client as NodeClusterLike;
    return {
      onClosed: closedOn('disconnect'),
      ownerOf: (key) => cluster.slots[keySlot(key)]?.master?.address ?? missingOwner(key),
      open(address) {
        const node = cluster.nodeByAddress.get(address ?? '');
        // A node the client has not discovered yet (a MOVED during resharding): refused now, the
        // client's own rediscovery finds it for a later request.
        if (!node) throw new Error(`the cluster client does not know ${address} yet`);
        let opened: DedicatedConnection | undefined;
        let closed = false;
        const ready = Promise.resolve(cluster.nodeClient(node)).then((shared) => {
          if (closed) return;
          opened = openNodeRedis(shared.duplicate());
          return opened.ready;
        });
        return {
          get client() {
            return opened?.client;
          },
          ready,
          closed: () => closed || opened?.closed() === true,
          close() {
            closed = true;
            opened?.close();
          },
        };
      },
    };
  }
  const single = client as NodeRedisLike;
  return { onClosed: closedOn('end'), ownerOf: () => undefined, open: () => openNodeRedis(single.duplicate()) };
}

function missingOwner(key: string): never {
  throw new Error(`the cluster client knows no owner for slot ${keySlot(key)} yet`);
}

function parseAddress(address: string | undefined): { host: string; port: number } {
  const at = address?.lastIndexOf(':') ?? -1;
  if (address === undefined || at < 1) throw new Error('a cluster node address must be host:port');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

function openIoredis(connection: IoRedisLike): DedicatedConnection {
  // Never an unhandled 'error' event; a failure shows as a refused command (503).
  connection.on('error', () => {});
  const ready =
    connection.status === 'wait'
      ? connection.connect()
      : connection.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            connection.once('ready', () => resolve());
            connection.once('end', () => reject(new Error('the dedicated connection closed before it was ready')));
          });
  return {
    client: connection,
    ready,
    closed: () => connection.status === 'end',
    close: () => connection.disconnect(),
  };
}

function openNodeRedis(connection: NodeRedisLike): DedicatedConnection {
  connection.on('error', () => {});
  let closed = false;
  return {
    client: connection,
    ready: connection.connect().then(() => undefined),
    // isOpen stays true while node-redis reconnects; false once closed or destroyed.
    closed: () => closed || connection.isOpen === false,
    close() {
      closed = true;
      if (connection.destroy) connection.destroy();
      else void connection.disconnect?.().catch(() => {});
    },
  };
}
