/**
 * Both client libraries the package supports, connected to a test redis-server the way a service
 * would connect them: reconnecting quickly, errors handled (never an unhandled 'error' event).
 */
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import type { RedisServer } from '../../../../test/support/redis-server.js';

export interface TestClient {
  readonly name: string;
  readonly client: unknown;
  /** Runs a command and returns the raw reply (for PTTL, KEYS, CONFIG in assertions). */
  command(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

export type ClientFactory = (server: RedisServer) => Promise<TestClient>;

export const nodeRedis: ClientFactory = async (server) => {
  const client = createClient({ url: server.url, socket: { reconnectStrategy: () => 50, connectTimeout: 1000 } });
  client.on('error', () => {});
  await client.connect();
  return {
    name: 'node-redis',
    client,
    command: (args) => client.sendCommand(args),
    close: async () => {
      client.destroy();
    },
  };
};

export const ioredis: ClientFactory = (server) =>
  connectedIoredis(
    'ioredis',
    new Redis(server.port, '127.0.0.1', { retryStrategy: () => 50, maxRetriesPerRequest: 1 }),
  );

export const clientFactories: readonly ClientFactory[] = [nodeRedis, ioredis];

/** Cluster clients, for a redis-server started with --cluster-enabled yes that owns every slot. */
export const nodeRedisCluster: ClientFactory = async (server) => {
  const client = createCluster({
    rootNodes: [{ url: server.url }],
    defaults: { socket: { reconnectStrategy: () => 50 } },
  });
  client.on('error', () => {});
  await client.connect();
  return {
    name: 'node-redis cluster',
    client,
    command: (args) => client.sendCommand(args[1], false, args),
    close: async () => {
      client.destroy();
    },
  };
};

export const ioredisCluster: ClientFactory = (server) =>
  connectedIoredis(
    'ioredis cluster',
    new Cluster([{ host: '127.0.0.1', port: server.port }], { clusterRetryStrategy: () => 50 }),
  );

/** An ioredis client (single node or cluster: the same API) once it is ready. */
async function connectedIoredis(name: string, client: Redis | Cluster): Promise<TestClient> {
  client.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('end', () => reject(new Error(`${name} could not connect`)));
  });
  return {
    name,
    client,
    command: (args) => client.call(args[0] as string, ...args.slice(1)),
    close: async () => {
      client.disconnect();
    },
  };
}
