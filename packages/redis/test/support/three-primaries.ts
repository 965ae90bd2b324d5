/**
 * A Redis Cluster of three primaries, each with a replica: six real redis-servers in cluster mode,
 * joined by `redis-cli --cluster create --cluster-replicas 1` (the redis-tools package, installed
 * with redis-server), every slot assigned and every replica in sync before the tests start.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from '../../../../test/support/redis-server.js';
import { until } from './replication.js';

export interface ClusterNode {
  readonly id: string;
  readonly address: string;
  readonly primary: boolean;
  /** Slot ranges owned, as [first, last] pairs (primaries only). */
  readonly slots: readonly [number, number][];
}

export interface ThreePrimaryCluster {
  readonly servers: readonly RedisServer[];
  /** The cluster's view of its nodes (`CLUSTER NODES`), read now. */
  nodes(): Promise<ClusterNode[]>;
  /** A command to the node at `address`. */
  on(address: string, args: string[]): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startThreePrimaryCluster(): Promise<ThreePrimaryCluster> {
  const configFiles: string[] = [];
  const servers: RedisServer[] = [];
  for (let i = 0; i < 6; i++) {
    const configFile = join(tmpdir(), `wimse-cluster3-${process.pid}-${Date.now()}-${i}.conf`);
    configFiles.push(configFile);
    servers.push(
      await startRedisServer({
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          configFile,
          '--cluster-announce-ip',
          '127.0.0.1',
          '--cluster-node-timeout',
          '5000',
          '--maxmemory-policy',
          'noeviction',
          '--repl-diskless-sync-delay',
          '0',
        ],
      }),
    );
  }
  const on = async (address: string, args: string[]) => {
    const [host, port] = address.split(':');
    const connection = new Redis(Number(port), host as string, { maxRetriesPerRequest: 1 });
    connection.on('error', () => {});
    try {
      return await connection.call(args[0] as string, ...args.slice(1));
    } finally {
      connection.disconnect();
    }
  };
  const cluster: ThreePrimaryCluster = {
    servers,
    on,
    async nodes() {
      const text = String(await on(`127.0.0.1:${servers[0]?.port}`, ['CLUSTER', 'NODES']));
      return text
        .trim()
        .split('\n')
        .map((line) => {
          const [id, address, flags, , , , , , ...ranges] = line.split(' ');
          return {
            id: id as string,
            address: (address as string).split('@')[0] as string,
            primary: (flags as string).includes('master'),
            slots: ranges
              .filter((range) => !range.startsWith('['))
              .map((range) => {
                const [first, last] = range.split('-').map(Number);
                return [first as number, last ?? (first as number)] as [number, number];
              }),
          };
        });
    },
    async stop() {
      for (const server of servers) await server.stop();
      for (const file of configFiles) rmSync(file, { force: true });
    },
  };
  await createCluster(servers.map((server) => `127.0.0.1:${server.port}`));
  await until(async () => {
    for (const server of servers) {
      const info = String(await on(`127.0.0.1:${server.port}`, ['CLUSTER', 'INFO']));
      if (!info.includes('cluster_state:ok')) return false;
    }
    const nodes = await cluster.nodes();
    if (nodes.filter((node) => node.primary).length !== 3) return false;
    for (const node of nodes.filter((candidate) => candidate.primary)) {
      if (!/slave0:.*state=online/.test(String(await on(node.address, ['INFO', 'replication'])))) return false;
    }
    return true;
  }, 'a ready three-primary cluster');
  return cluster;
}

async function createCluster(addresses: string[]): Promise<void> {
  const child = spawn('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`redis-cli could not start (is redis-tools installed?): ${error.message}`)),
    );
    child.once('exit', resolve);
  }).finally(() => clearTimeout(timer));
  if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}):\n${output.slice(-2000)}`);
}
