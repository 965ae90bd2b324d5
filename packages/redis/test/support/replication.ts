/**
 * A primary and a replica, two real redis-servers, with the replication link through a TCP relay
 * in this process, so that the test can cut it the way a network partition does: the primary
 * goes on answering its clients while its replica receives nothing. (Freezing the replica with
 * SIGSTOP does not cut it: the kernel keeps receiving the stream, and the replica applies it when
 * it wakes up.)
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from '../../../../test/support/redis-server.js';

export interface LinkRelay {
  readonly port: number;
  /** Drops the link and refuses to relay until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startLinkRelay(targetPort: number): Promise<LinkRelay> {
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;
  const server: Server = createServer((inbound) => {
    if (cut) {
      inbound.destroy();
      return;
    }
    const outbound = tcpConnect({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      pairs.delete(pair);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no relay port');
  return {
    port: address.port,
    cut() {
      cut = true;
      for (const [inbound, outbound] of pairs) {
        inbound.destroy();
        outbound.destroy();
      }
      pairs.clear();
    },
    restore() {
      cut = false;
    },
    close: async () => {
      for (const [inbound, outbound] of pairs) {
        inbound.destroy();
        outbound.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface ReplicatedPair {
  readonly primary: RedisServer;
  readonly replica: RedisServer;
  readonly link: LinkRelay;
  /** Resolves once the primary sees its replica online (bounded: 10 s). */
  inSync(): Promise<void>;
  /** Promotes the replica (`REPLICAOF NO ONE`), as Sentinel or a managed service does. */
  promote(): Promise<void>;
  stop(): Promise<void>;
}

export async function startReplicatedPair(primaryArgs: readonly string[] = []): Promise<ReplicatedPair> {
  const primary = await startRedisServer({
    // No 5 s wait before the first full sync (the default delay, to batch replicas).
    args: ['--maxmemory-policy', 'noeviction', '--repl-diskless-sync-delay', '0', ...primaryArgs],
  });
  const link = await startLinkRelay(primary.port);
  const replica = await startRedisServer({
    args: ['--maxmemory-policy', 'noeviction', '--replicaof', '127.0.0.1', String(link.port)],
  });
  const admin = (server: RedisServer) => new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  const pair: ReplicatedPair = {
    primary,
    replica,
    link,
    async inSync() {
      const connection = admin(primary);
      connection.on('error', () => {});
      try {
        await until(async () => /slave0:.*state=online/.test(await connection.info('replication')));
      } finally {
        connection.disconnect();
      }
    },
    async promote() {
      const connection = admin(replica);
      try {
        await connection.call('REPLICAOF', 'NO', 'ONE');
      } finally {
        connection.disconnect();
      }
    },
    async stop() {
      await replica.stop();
      await primary.stop();
      await link.close();
    },
  };
  await pair.inSync();
  return pair;
}

/** Polls `condition` every 50 ms, for at most 10 s. */
export async function until(condition: () => Promise<boolean>, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
